package dev.pushdeploy.local.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.local.aws.Clients;
import dev.pushdeploy.local.lambda.LambdaRuntime;
import dev.pushdeploy.local.moto.MotoServer;
import dev.pushdeploy.local.stack.PipelineTemplate;
import dev.pushdeploy.local.template.CfnTemplate;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;

/**
 * A stack whose custom resource (a function of the stack, {@link ParametersProvider}) creates the
 * Parameter Store parameters its nested stack ({@code nested/release.yaml}) reads, deployed on
 * moto as CloudFormation deploys it: the custom resource before the nested stack (DependsOn), the
 * nested stack's SSM-typed parameters read again on every deploy, a parent resource updated when
 * a nested output it reads changed; the custom resource's requests, updates, replacement and
 * failures as CloudFormation's documentation describes them.
 */
class NestedStackIT {
    private static final Path PARENT = Path.of("src/test/resources/nested/parent.yaml").toAbsolutePath();
    private static final String PREFIX = "/nested-test";
    private static MotoServer moto;
    private static SsmClient ssm;
    private LocalCloudFormation cloudFormation;

    @BeforeAll
    static void start() {
        moto = MotoServer.start();
        ssm = new Clients(moto.endpoint()).build(SsmClient.builder());
    }

    @AfterAll
    static void stop() {
        moto.close();
    }

    @BeforeEach
    void emptyEmulator() {
        moto.reset();
        ParametersProvider.REQUESTS.clear();
        LambdaRuntime lambdas = new LambdaRuntime(List.of(), System.err::println, Clock.systemUTC());
        cloudFormation = new LocalCloudFormation(new ResourceProvisioner(new Clients(moto.endpoint()), new ResourceProvisioner.LocalParts() {
            @Override
            public String parameterValue(String name, String value) {
                return value;
            }

            @Override
            public URI database(String masterUsername, String masterPassword, String databaseName) {
                throw new UnsupportedOperationException("no database in this stack");
            }
        }), new CustomResources((function, payload) -> {
            lambdas.deploy(function);
            return lambdas.invoke(function.name(), payload);
        }));
    }

    private PipelineTemplate deploy(Map<String, String> overrides) {
        Map<String, String> parameters = new HashMap<>(overrides);
        parameters.put("Endpoint", moto.endpoint().toString());
        CfnTemplate template = CfnTemplate.expand(PARENT, PipelineTemplate.REGION, PipelineTemplate.ACCOUNT, parameters);
        return cloudFormation.deploy(new PipelineTemplate.LocalTemplate(template, parameters), NestedStackIT::parameter);
    }

    private static Optional<String> parameter(String name) {
        try {
            return Optional.of(ssm.getParameter(r -> r.name(name)).parameter().value());
        } catch (ParameterNotFoundException e) {
            return Optional.empty();
        }
    }

    @Test
    void theCustomResourceCreatesWhatTheNestedStackThenReadsAndEveryDeployReadsItAgain() {
        PipelineTemplate first = deploy(Map.of());

        assertEquals(1, ParametersProvider.REQUESTS.size());
        JsonNode create = ParametersProvider.REQUESTS.get(0);
        assertEquals("Create", create.path("RequestType").asText());
        assertEquals("Custom::ReleaseParameters", create.path("ResourceType").asText());
        assertEquals("ReleaseParameters", create.path("LogicalResourceId").asText());
        assertEquals(first.deployment().stackId(), create.path("StackId").asText());
        assertTrue(create.path("ResponseURL").asText().startsWith("http://"), create.toString());
        assertFalse(create.path("RequestId").asText().isEmpty());
        assertFalse(create.has("PhysicalResourceId"), "a Create has no physical id yet");
        assertFalse(create.has("OldResourceProperties"));
        JsonNode properties = create.path("ResourceProperties");
        assertEquals(PipelineTemplate.functionArn("ParametersFunction") + ":live", properties.path("ServiceToken").asText(),
                "the alias SAM made for AutoPublishAlias");
        assertEquals("2", properties.path("Count").asText());
        assertTrue(properties.path("Count").isTextual(), "CloudFormation sends every scalar as a string");
        assertEquals(List.of(PREFIX + "/image"), List.of(properties.path("Names").get(0).asText()));
        assertEquals(1, properties.path("Names").size(), "AWS::NoValue leaves the list");

        assertEquals(Optional.of("none"), parameter(PREFIX + "/image"), "created by the custom resource");
        String physicalId = "parameters-" + create.path("RequestId").asText();
        assertEquals(Optional.of("public.ecr.aws/nginx/nginx:none x0 1 " + physicalId), parameter(PREFIX + "/summary"),
                "the nested stack's outputs before a release, the custom resource's Data and physical id");
        Map<String, String> outputs = first.deployment().outputs();
        assertEquals("pushdeploy-Release", outputs.get("ReleaseStack"), "the nested stack's own AWS::StackName");
        assertEquals("arn:aws:cloudformation:us-east-1:123456789012:stack/pushdeploy-Release/00000000-0000-0000-0000-000000000000",
                outputs.get("ReleaseStackId"));

        ssm.putParameter(r -> r.name(PREFIX + "/image").value("repo@sha256:1").overwrite(true));
        PipelineTemplate second = deploy(Map.of("DesiredCount", "3"));

        assertEquals(1, ParametersProvider.REQUESTS.size(), "unchanged properties: no request to the provider");
        assertEquals("repo@sha256:1", second.deployment().outputs().get("Image"));
        assertEquals(Optional.of("repo@sha256:1 x3 1 " + physicalId), parameter(PREFIX + "/summary"),
                "the parent's parameter is updated: the nested stack read Parameter Store again");
    }

    @Test
    void changedPropertiesUpdateTheCustomResourceAndANewPhysicalIdDeletesTheOldOne() {
        deploy(Map.of());
        String created = "parameters-" + ParametersProvider.REQUESTS.get(0).path("RequestId").asText();

        deploy(Map.of("Extra", "token"));
        assertEquals(2, ParametersProvider.REQUESTS.size());
        JsonNode update = ParametersProvider.REQUESTS.get(1);
        assertEquals("Update", update.path("RequestType").asText());
        assertEquals(created, update.path("PhysicalResourceId").asText());
        assertEquals(1, update.path("OldResourceProperties").path("Names").size());
        assertEquals(2, update.path("ResourceProperties").path("Names").size());
        assertEquals(Optional.of("none"), parameter(PREFIX + "/token"));
        assertEquals(Optional.of("public.ecr.aws/nginx/nginx:none x0 1 " + created), parameter(PREFIX + "/summary"),
                "Data of the update: one parameter created");

        deploy(Map.of("Extra", "token", "ReplaceOnUpdate", "true"));
        assertEquals(List.of("Create", "Update", "Update", "Delete"),
                ParametersProvider.REQUESTS.stream().map(r -> r.path("RequestType").asText()).toList());
        String replacement = "parameters-" + ParametersProvider.REQUESTS.get(2).path("RequestId").asText();
        JsonNode delete = ParametersProvider.REQUESTS.get(3);
        assertEquals(created, delete.path("PhysicalResourceId").asText(), "the replaced resource is deleted after the update");
        assertEquals("false", delete.path("ResourceProperties").path("ReplaceOnUpdate").asText(), "with its own properties");
        assertEquals(Optional.of("public.ecr.aws/nginx/nginx:none x0 0 " + replacement), parameter(PREFIX + "/summary"));
    }

    @Test
    void aFailedMissingOrBrokenAnswerFailsTheDeployNamingTheResource() {
        IllegalStateException failed = assertThrows(IllegalStateException.class, () -> deploy(Map.of("Fail", "no quota left")));
        assertEquals("custom resource ReleaseParameters (Custom::ReleaseParameters): Create FAILED: no quota left", failed.getMessage());

        IllegalStateException silent = assertThrows(IllegalStateException.class, () -> deploy(Map.of("Answer", "none")));
        assertTrue(silent.getMessage().startsWith("custom resource ReleaseParameters (Custom::ReleaseParameters): Create got no response"
                + " from ParametersFunction (the function returned without sending one"), silent.getMessage());

        IllegalStateException broken = assertThrows(IllegalStateException.class, () -> deploy(Map.of("Answer", "throw")));
        assertTrue(broken.getMessage().endsWith("which failed: java.lang.IllegalStateException: the provider broke"), broken.getMessage());
        assertEquals(Optional.empty(), parameter(PREFIX + "/summary"), "nothing after the failed resource was created");
    }

    @Test
    void theNestedStacksParametersAreCheckedAsCloudFormationChecksThem() {
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> deploy(Map.of("Answer", "skip")));
        assertEquals("nested stack Release (release.yaml): parameter ImageParameter: SSM parameter " + PREFIX + "/image does not exist",
                missing.getMessage());

        cloudFormation.reset();
        IllegalStateException tooMany = assertThrows(IllegalStateException.class, () -> deploy(Map.of("DesiredCount", "11")));
        assertEquals("nested stack Release (release.yaml): parameter DesiredCount must be within [0, 10], not 11", tooMany.getMessage());
    }
}
