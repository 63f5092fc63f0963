package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.config.SecretSpec;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.local.template.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The release parameters have one source: for any prefix, cluster and service names, the names
 * the stack creates (InitialReleaseParameters), the names its nested stacks read (Release,
 * SecondRelease) and the names the pipeline writes after a deployment (Finalize and the
 * reconciler: the configuration's releaseParameterPrefix, cluster, service and secrets,
 * {@code <prefix>/<cluster>/<service>/image} and {@code …/secret/<NAME>}) are the same, and the
 * custom resource may create every one of them. Every custom resource of the template runs its function through the
 * function's alias, from its SnapStart snapshot.
 */
class ReleaseParameterNamesTest {

    static Stream<Arguments> stacks() {
        return Stream.of(
                Arguments.of(Map.of()),
                Arguments.of(Map.of("ClusterName", "shop", "AppName", "store", "ContainerName", "main")),
                Arguments.of(Map.of("ReleaseParameterPrefix", "/acme/releases", "EnableDatabase", "true")),
                Arguments.of(Map.of("ClusterName", "shop", "SecondServiceName", "admin", "EnableDatabase", "true")));
    }

    @ParameterizedTest
    @MethodSource("stacks")
    void theStackCreatesAndReadsWhatThePipelineWrites(Map<String, String> overrides) {
        Deployment stack = Deployments.withRelease(overrides, "none");
        PipelineConfig config = ConfigParser.parse(stack.properties("ConfigParameter").path("Value").asText());
        List<String> created = new ArrayList<>();
        stack.properties("InitialReleaseParameters").path("Names").forEach(n -> created.add(n.asText()));
        String prefix = stack.properties("InitialReleaseParameters").path("Prefix").asText();
        assertEquals(stack.parameters().get("ReleaseParameterPrefix"), prefix);
        List<String> written = new ArrayList<>();
        assertEquals(prefix, config.releaseParameterPrefix(), "Finalize and the reconciler write under the prefix the stack reads");
        for (Target target : config.targets()) {
            String base = prefix + "/" + target.cluster() + "/" + target.service();
            written.add(base + "/image");
            target.secrets().stream().map(SecretSpec::name).forEach(name -> written.add(base + "/secret/" + name));
            JsonNode read = stack.properties(target.service().equals(stack.parameters().get("AppName")) ? "Release" : "SecondRelease")
                    .path("Parameters");
            assertEquals(base + "/image", read.path("Image").asText());
            assertEquals(base + "/secret/APP_SIGNING_KEY", read.path("SigningKeySlot").asText());
            assertEquals(base + "/secret/DB_PASSWORD", read.path("DbPasswordSlot").asText());
            assertTrue(created.containsAll(List.of(base + "/image", base + "/secret/APP_SIGNING_KEY", base + "/secret/DB_PASSWORD")),
                    "created " + created);
        }
        assertTrue(created.containsAll(written), "the pipeline writes " + written + ", the stack creates " + created);
        assertEquals(config.targets().size() * 3, created.size(), "nothing but the services' parameters: " + created);
        List<Iam.Statement> role = Iam.statements(stack, "ReleaseParametersFunctionRole");
        for (String name : created) {
            String arn = "arn:aws:ssm:us-east-1:123456789012:parameter" + name;
            assertTrue(Iam.allows(role, "ssm:PutParameter", arn), "the custom resource may create " + name);
            assertTrue(!Iam.allows(role, "ssm:PutParameter", "arn:aws:ssm:us-east-1:123456789012:parameter/pushdeploy/config"),
                    "and nothing else");
        }
    }

    @Test
    void everyCustomResourceRunsItsFunctionThroughTheAlias() {
        var template = Repo.template();
        Map<String, JsonNode> custom = new java.util.TreeMap<>();
        template.resources().forEach((id, resource) -> {
            String type = resource.path("Type").asText();
            if (type.startsWith("Custom::") || type.equals("AWS::CloudFormation::CustomResource")) {
                custom.put(id, resource);
            }
        });
        assertEquals(List.of("InitialReleaseParameters"), List.copyOf(custom.keySet()), "the template's custom resources");
        custom.forEach((id, resource) -> {
            String alias = resource.path("Properties").path("ServiceToken").path("Ref").asText();
            assertEquals("AWS::Lambda::Alias", template.type(alias), id + "'s ServiceToken names an alias, not $LATEST");
            String function = template.properties(alias).path("FunctionName").path("Ref").asText();
            assertEquals("PublishedVersions", template.properties(function).path("SnapStart").path("ApplyOn").asText(),
                    function + " runs from its snapshot through " + alias);
        });
    }
}
