package dev.pushdeploy.local.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Intrinsic functions evaluated on what aws-sam-translator makes of a SAM template
 * ({@code template/intrinsics.yaml}); the expected values are CloudFormation's documented results.
 */
class DeploymentTest {
    private static final Path FIXTURE = Path.of("src/test/resources/template/intrinsics.yaml");
    private static final String REGION = "us-east-1";
    private static final String ACCOUNT = "123456789012";
    private static final String SLOT = "/pushdeploy/web/db-password/b";

    private static Deployment deploy(Map<String, String> parameters) {
        CfnTemplate template = CfnTemplate.expand(FIXTURE, REGION, ACCOUNT, parameters);
        return new Deployment(template, template.parameterValues(parameters, name -> Optional.of(SLOT)), "stack", REGION, ACCOUNT,
                new AwsNames((logicalId, type) -> "stack-" + logicalId, Map.of()));
    }

    @Test
    void theDefaultsEvaluateAsCloudFormationDocumentsIt() {
        Map<String, String> outputs = deploy(Map.of()).outputs();

        assertEquals("arn:aws:lambda:us-east-1:123456789012:function:stack-Fn:live", outputs.get("Alias"),
                "Ref of the alias SAM made for AutoPublishAlias: the alias ARN");
        assertEquals("arn:aws:lambda:us-east-1:123456789012:function:stack-Fn", outputs.get("FunctionArn"));
        assertEquals("/web/config", outputs.get("ParamName"));
        assertEquals("web,8080", outputs.get("Joined"), "AWS::NoValue leaves the list");
        assertEquals("b", outputs.get("SlotLetter"), "Split of the SSM parameter's value, not its name");
        assertEquals("256", outputs.get("Size"));
        assertEquals("192.168.0.0/27 192.168.0.32/27 192.168.0.64/27 192.168.0.96/27 192.168.0.128/27 192.168.0.160/27",
                outputs.get("Subnets"), "the Fn::Cidr example of the CloudFormation documentation");
        assertEquals("us-east-1b", outputs.get("Az"));
        assertEquals("${Literal}-web", outputs.get("Escaped"));
        assertEquals("no", outputs.get("EitherOut"));
        assertFalse(outputs.containsKey("BothOut"), "an output whose condition is false does not exist");
        assertFalse(outputs.containsKey("TableArn"));
    }

    @Test
    void conditionsFollowTheParameters() {
        Map<String, String> perAz = deploy(Map.of("Mode", "per-az", "Countries", "KP, IR")).outputs();

        assertEquals("web,per-az,8080", perAz.get("Joined"));
        assertEquals("1024", perAz.get("Size"));
        assertEquals("yes", perAz.get("EitherOut"));
        assertEquals("both", perAz.get("BothOut"));
        assertEquals("arn:aws:dynamodb:us-east-1:123456789012:table/stack-Table", perAz.get("TableArn"));
        assertEquals("yes", deploy(Map.of("Countries", "KP")).outputs().get("EitherOut"));
    }

    @Test
    void resourcePropertiesAreEvaluatedWithSamsGlobalsMerged() {
        Deployment defaults = deploy(Map.of());
        JsonNode variables = defaults.properties("Fn").path("Environment").path("Variables");
        assertEquals("/web/config", variables.path("SHARED").asText(), "Globals reach the function through the transform");
        assertEquals("web-stack", variables.path("OWN").asText());
        assertTrue(variables.path("TABLE").isMissingNode());
        assertEquals("{\"port\": 8080, \"mode\": \"none\"}", defaults.properties("Param").path("Value").asText());
        assertFalse(defaults.exists("Table"));

        Deployment single = deploy(Map.of("Mode", "single", "Name", "shop"));
        assertEquals("{\"port\": 8080, \"mode\": \"single\", \"region\": \"us-east-1\"}", single.properties("Param").path("Value").asText());
        assertEquals("stack-Table", deploy(Map.of("Mode", "per-az")).properties("Fn").path("Environment").path("Variables")
                .path("TABLE").asText());
    }

    @Test
    void theRuleSamMakesOfAnEventKeepsItsPattern() {
        Deployment defaults = deploy(Map.of());
        String rule = defaults.template().resources("AWS::Events::Rule").keySet().iterator().next();
        JsonNode pattern = defaults.properties(rule).path("EventPattern");
        assertEquals("web", pattern.path("detail").path("repository-name").get(0).asText());
        assertEquals("aws.ecr", pattern.path("source").get(0).asText());
    }

    @Test
    void parameterValuesAreCheckedAsCloudFormationChecksThem() {
        CfnTemplate template = CfnTemplate.expand(FIXTURE, REGION, ACCOUNT, Map.of());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> template.parameterValues(Map.of("Mode", "multi"),
                name -> Optional.of(SLOT))).getMessage().contains("Mode"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> template.parameterValues(Map.of("Name", "Web"),
                name -> Optional.of(SLOT))).getMessage().contains("[a-z]+"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> template.parameterValues(Map.of("Port", "80"),
                name -> Optional.of(SLOT))).getMessage().contains("Port"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> template.parameterValues(Map.of("Prot", "8080"),
                name -> Optional.of(SLOT))).getMessage().contains("Prot"));
        assertTrue(assertThrows(IllegalStateException.class, () -> template.parameterValues(Map.of(), name -> Optional.empty()))
                .getMessage().contains("/fixture/slot"), "a missing SSM parameter fails the deployment, naming it");
    }

    @Test
    void whatTheDeploymentCannotEvaluateFailsNamingIt() {
        Deployment defaults = deploy(Map.of());
        assertTrue(assertThrows(IllegalStateException.class, () -> defaults.ref("Table")).getMessage().contains("PerAz"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> defaults.evaluate(Json.tree("{\"Fn::Base64\": \"x\"}")))
                .getMessage().contains("Fn::Base64"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> defaults.evaluate(Json.tree("{\"Ref\": \"Nothing\"}")))
                .getMessage().contains("Nothing"));
    }
}
