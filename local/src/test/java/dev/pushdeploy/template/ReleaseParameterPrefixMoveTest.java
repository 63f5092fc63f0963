package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.handler.ReleaseParametersHandler;
import dev.pushdeploy.ledger.ReleaseParameterSeed;
import dev.pushdeploy.ledger.ReleaseParameters;
import dev.pushdeploy.local.template.Deployment;
import dev.pushdeploy.testing.Emulator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Audit: README ("How the stack and the pipeline share the service") promises that "a stack update that changes
 * {@code ReleaseParameterPrefix} creates each new name with the release its old name holds, from the request's
 * {@code OldResourceProperties}, so the service keeps its image and tasks". To carry a release over, the custom resource's
 * function reads each old name with ssm:GetParameter (ReleaseParameterSeed.carried -> SsmReleaseParameters.read). Its role,
 * ReleaseParametersFunctionRole, grants ssm:PutParameter on the new prefix only: no GetParameter at all, and nothing under
 * the old prefix. IAM: "By default, all requests are implicitly denied" (IAM User Guide, policy evaluation logic,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html). So in AWS the Update is
 * answered FAILED (AccessDeniedException on ssm:GetParameter), CloudFormation rolls the whole stack update back, and the
 * documented prefix move can never be made.
 *
 * <p>The request here is CloudFormation's Update request built from the template as deployed before (default prefix) and
 * after (another prefix); the release parameters answer only what the updated role's policy allows.
 */
class ReleaseParameterPrefixMoveTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String URL = "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/presigned";

    @Test
    void anUpdateThatMovesThePrefixMayReadTheReleasesItCarriesOver() throws Exception {
        Deployment before = Deployments.withRelease(Map.of(), "none");
        Deployment after = Deployments.withRelease(Map.of("ReleaseParameterPrefix", "/acme/releases"), "none");
        List<Iam.Statement> role = Iam.statements(after, "ReleaseParametersFunctionRole");

        // What the pipeline recorded under the old prefix (a release is live).
        Map<String, String> values = new TreeMap<>();
        for (JsonNode name : before.properties("InitialReleaseParameters").path("Names")) {
            values.put(name.asText(), name.asText().endsWith("/image")
                    ? "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:" + "1".repeat(64)
                    : "/pushdeploy/web/app-signing-key/b");
        }
        List<String> denied = new ArrayList<>();
        ReleaseParameters underIam = new ReleaseParameters() {
            @Override
            public Optional<String> read(String name) {
                authorize("ssm:GetParameter", name);
                return Optional.ofNullable(values.get(name));
            }

            @Override
            public void write(String name, String value) {
                throw new AssertionError("the custom resource overwrote " + name);
            }

            @Override
            public boolean createIfAbsent(String name, String value) {
                authorize("ssm:PutParameter", name);
                return values.putIfAbsent(name, value) == null;
            }

            private void authorize(String action, String name) {
                String arn = "arn:aws:ssm:" + Emulator.REGION + ":" + Emulator.ACCOUNT + ":parameter" + name;
                if (!Iam.allows(role, action, arn)) {
                    denied.add(action + " on " + arn);
                    throw new IllegalStateException("AccessDeniedException: ReleaseParametersFunctionRole is not authorized to perform: "
                            + action + " on resource: " + arn);
                }
            }
        };
        List<JsonNode> responses = new ArrayList<>();
        ReleaseParametersHandler handler = new ReleaseParametersHandler(new ReleaseParameterSeed(underIam),
                (url, body) -> responses.add(tree(body)));

        ObjectNode request = JSON.createObjectNode();
        request.put("RequestType", "Update");
        request.put("RequestId", "req-1");
        request.put("ResponseURL", URL);
        request.put("ResourceType", "Custom::ReleaseParameters");
        request.put("LogicalResourceId", "InitialReleaseParameters");
        request.put("PhysicalResourceId", "pushdeploy-release-parameters");
        request.put("StackId", "arn:aws:cloudformation:us-east-1:123456789012:stack/pushdeploy/guid");
        request.set("ResourceProperties", resourceProperties(after));
        request.set("OldResourceProperties", resourceProperties(before));
        handler.handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(request)), new ByteArrayOutputStream(), null);

        assertEquals(1, responses.size(), "one answer to CloudFormation");
        JsonNode response = responses.get(0);
        assertEquals("SUCCESS", response.path("Status").asText(),
                "changing ReleaseParameterPrefix (README: \"creates each new name with the release its old name holds\") is "
                        + "answered " + response.path("Status").asText() + " (" + response.path("Reason").asText() + "): the "
                        + "custom resource reads the old names with ssm:GetParameter, which ReleaseParametersFunctionRole does "
                        + "not grant (denied: " + denied + "), so CloudFormation rolls the stack update back");
        assertEquals(values.get("/pushdeploy/release/pushdeploy/web/image"), values.get("/acme/releases/pushdeploy/web/image"),
                "the new image name carries the live release over");
    }

    /** The custom resource's properties as CloudFormation sends them (ServiceToken, ServiceTimeout, Prefix, Names). */
    private static JsonNode resourceProperties(Deployment stack) {
        ObjectNode properties = (ObjectNode) stack.properties("InitialReleaseParameters").deepCopy();
        properties.put("ServiceToken", "arn:aws:lambda:us-east-1:123456789012:function:pushdeploy-ReleaseParametersFunction-1ABC:live");
        properties.put("ServiceTimeout", "120");
        return properties;
    }

    private static JsonNode tree(byte[] body) {
        try {
            return JSON.readTree(new String(body, StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
