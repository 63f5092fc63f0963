package dev.pushdeploy.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.adapter.json.Trees;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.ledger.ReleaseParameterSeed;
import dev.pushdeploy.ledger.ReleaseParameters;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.testing.SampleStack;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReleaseParametersHandlerTest {
    static final String URL = "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/presigned";
    static final String IMAGE = "/pushdeploy/release/pushdeploy/web/image";

    private final Map<String, String> values = new ConcurrentHashMap<>();
    private final List<String> urls = new ArrayList<>();
    private final List<JsonNode> responses = new ArrayList<>();
    private Throwable failure;
    private final ReleaseParameters parameters = new ReleaseParameters() {
        @Override
        public Optional<String> read(String name) {
            return Optional.ofNullable(values.get(name));
        }

        @Override
        public void write(String name, String value) {
            throw new AssertionError("the custom resource overwrote " + name);
        }

        @Override
        public boolean createIfAbsent(String name, String value) {
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            return values.putIfAbsent(name, value) == null;
        }
    };
    private final ReleaseParametersHandler handler = new ReleaseParametersHandler(new ReleaseParameterSeed(parameters), (url, body) -> {
        urls.add(url);
        responses.add(Trees.tree(new String(body, StandardCharsets.UTF_8)));
    });

    /** CloudFormation's request, shaped as its documentation shows it. */
    static String request(String type, String names) {
        return """
                {"RequestType": "%s", "RequestId": "req-1", "ResponseURL": "%s",
                 "ResourceType": "Custom::ReleaseParameters", "LogicalResourceId": "ReleaseParameters",
                 "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/pushdeploy/guid",
                 %s
                 "ResourceProperties": {"ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:f",
                                        "Prefix": "/pushdeploy/release", "Names": %s}}
                """.formatted(type, URL, type.equals("Create") ? "" : "\"PhysicalResourceId\": \"pushdeploy-release-parameters\",", names);
    }

    private JsonNode invoke(String event) {
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(), null);
        assertEquals(List.of(URL), urls, "one response, to the request's URL");
        return responses.get(0);
    }

    @Test
    void createMakesTheMissingParametersAndAnswersSuccess() {
        JsonNode response = invoke(request("Create", "[\"" + IMAGE + "\"]"));
        assertEquals("none", values.get(IMAGE));
        assertEquals("SUCCESS", response.path("Status").asText());
        assertEquals(ReleaseParametersHandler.PHYSICAL_ID, response.path("PhysicalResourceId").asText());
        assertEquals("req-1", response.path("RequestId").asText());
        assertEquals("ReleaseParameters", response.path("LogicalResourceId").asText());
        assertEquals("arn:aws:cloudformation:us-east-1:123456789012:stack/pushdeploy/guid", response.path("StackId").asText());
        assertEquals("1", response.path("Data").path("Created").asText());
    }

    @Test
    void updateKeepsWhatThePipelineWrote() {
        values.put(IMAGE, "repo@sha256:ab");
        JsonNode response = invoke(request("Update", "[\"" + IMAGE + "\"]"));
        assertEquals("repo@sha256:ab", values.get(IMAGE));
        assertEquals("SUCCESS", response.path("Status").asText());
        assertEquals("0", response.path("Data").path("Created").asText());
    }

    @Test
    void deleteChangesNothing() {
        JsonNode response = invoke(request("Delete", "[\"" + IMAGE + "\"]"));
        assertTrue(values.isEmpty());
        assertEquals("SUCCESS", response.path("Status").asText());
        assertEquals("pushdeploy-release-parameters", response.path("PhysicalResourceId").asText());
    }

    @Test
    void badNamesAnswerFailedNamingThemAndCreateNothing() {
        JsonNode response = invoke(request("Create", "[\"" + IMAGE + "\", \"/elsewhere/x\"]"));
        assertEquals("FAILED", response.path("Status").asText());
        assertEquals("Names: /elsewhere/x is not under the prefix /pushdeploy/release", response.path("Reason").asText());
        assertTrue(values.isEmpty());
    }

    /** The request with the stack's configuration document among its properties, as template.yaml passes it. */
    static String withConfiguration(String request, String document) {
        return with(request, "Configuration", com.fasterxml.jackson.databind.node.TextNode.valueOf(document).toString());
    }

    /** The request with one more property, {@code json} its value. */
    static String with(String request, String property, String json) {
        return request.replace("\"Prefix\":", "\"" + property + "\": " + json + ", \"Prefix\":");
    }

    /**
     * A configuration document every pipeline function would refuse fails the stack's create or update, naming what is
     * wrong, before anything is created; CloudFormation then rolls the stack back rather than leave every later run to
     * fail. Delete still succeeds, so that the rollback does.
     */
    @ParameterizedTest
    @ValueSource(strings = {"Create", "Update"})
    void aConfigurationThePipelineRefusesFailsTheStackOperationNamingWhyAndCreatesNothing(String type) {
        JsonNode response = invoke(withConfiguration(request(type, "[\"" + IMAGE + "\"]"), "{\"targets\": []}"));
        assertEquals("FAILED", response.path("Status").asText());
        assertEquals("Configuration: the stack's settings make a configuration document every pipeline function refuses"
                + ": targets: must be a non-empty array", response.path("Reason").asText());
        assertTrue(values.isEmpty());
    }

    @Test
    void aConfigurationThePipelineReadsLetsTheParametersBeCreated() {
        JsonNode response = invoke(withConfiguration(request("Create", "[\"" + IMAGE + "\"]"),
                "{\"targets\":[{\"repository\":\"web\",\"cluster\":\"pushdeploy\",\"service\":\"web\",\"container\":\"app\"}]}"));
        assertEquals("SUCCESS", response.path("Status").asText(), response.toString());
        assertEquals("none", values.get(IMAGE));
    }

    /**
     * A Transit Gateway "doesn't support routing between VPCs ... if a CIDR in a range overlaps a CIDR in an attached
     * VPC" (its guide): ranges no rule can compare fail the stack operation, naming both.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"10.0.0.0/16, 10.0.128.0/22", "10.0.0.0/17, 10.0.0.0/16", "10.0.0.0/16, 10.0.0.0/16"})
    void overlappingVpcRangesFailTheStackOperationNamingBoth(String vpc, String database) {
        JsonNode response = invoke(with(request("Create", "[\"" + IMAGE + "\"]"), "NetworkRanges",
                "{\"VpcCidr\": \"" + vpc + "\", \"DatabaseVpcCidr\": \"" + database + "\"}"));
        assertEquals("FAILED", response.path("Status").asText());
        assertEquals("NetworkRanges: VpcCidr " + vpc + " and DatabaseVpcCidr " + database + " overlap: a Transit Gateway does not"
                + " route between VPCs whose ranges overlap; choose ranges apart", response.path("Reason").asText());
        assertTrue(values.isEmpty());
    }

    @Test
    void vpcRangesApartAndRollingLimitsWithRoomPass() {
        JsonNode response = invoke(with(with(request("Update", "[\"" + IMAGE + "\"]"), "NetworkRanges",
                "{\"VpcCidr\": \"10.0.0.0/16\", \"DatabaseVpcCidr\": \"10.1.0.0/22\"}"), "Rolling",
                "[{\"Service\": \"api\", \"DesiredCount\": \"2\", \"MinimumHealthyPercent\": \"100\", \"MaximumPercent\": \"200\"}]"));
        assertEquals("SUCCESS", response.path("Status").asText(), response.toString());
    }

    /** Rolling limits that let ECS neither start nor stop a task would stall every rollout of the service after its first. */
    @Test
    void rollingLimitsThatReplaceNoTaskFailTheStackOperation() {
        JsonNode response = invoke(with(request("Create", "[\"" + IMAGE + "\"]"), "Rolling",
                "[{\"Service\": \"api\", \"DesiredCount\": \"2\", \"MinimumHealthyPercent\": \"100\", \"MaximumPercent\": \"200\"},"
                        + " {\"Service\": \"api3\", \"DesiredCount\": \"1\", \"MinimumHealthyPercent\": \"100\", \"MaximumPercent\": \"150\"}]"));
        assertEquals("FAILED", response.path("Status").asText());
        assertEquals("Rolling: service api3: with 1 desired task(s) ECS may run at most 1 (maximumPercent 150, rounded down) and must"
                + " keep 1 running (minimumHealthyPercent 100, rounded up): a rolling deployment can neither start a new task nor"
                + " stop an old one, so it replaces none", response.path("Reason").asText());
        assertTrue(values.isEmpty());
    }

    private static final String REFUSED_CONFIGURATION = com.fasterxml.jackson.databind.node.TextNode.valueOf("{\"targets\": []}").toString();
    private static final String OTHER_REFUSED_CONFIGURATION = com.fasterxml.jackson.databind.node.TextNode.valueOf(
            "{\"targets\": [{\"repository\": \"web\"}]}").toString();
    private static final String READ_CONFIGURATION = com.fasterxml.jackson.databind.node.TextNode.valueOf(
            "{\"targets\":[{\"repository\":\"web\",\"cluster\":\"pushdeploy\",\"service\":\"web\",\"container\":\"app\"}]}").toString();
    private static final String OVERLAPPING = "{\"VpcCidr\": \"10.0.0.0/16\", \"DatabaseVpcCidr\": \"10.0.128.0/22\"}";
    private static final String OTHER_OVERLAPPING = "{\"VpcCidr\": \"10.0.0.0/16\", \"DatabaseVpcCidr\": \"10.0.0.0/24\"}";
    private static final String APART = "{\"VpcCidr\": \"10.0.0.0/16\", \"DatabaseVpcCidr\": \"10.1.0.0/22\"}";
    private static final String STALLED = "[{\"Service\": \"api\", \"DesiredCount\": \"1\", \"MinimumHealthyPercent\": \"100\", \"MaximumPercent\": \"150\"}]";
    private static final String OTHER_STALLED = "[{\"Service\": \"api\", \"DesiredCount\": \"3\", \"MinimumHealthyPercent\": \"100\", \"MaximumPercent\": \"100\"}]";
    private static final String ROOMY = "[{\"Service\": \"api\", \"DesiredCount\": \"2\", \"MinimumHealthyPercent\": \"100\", \"MaximumPercent\": \"200\"}]";

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> updates() {
        return java.util.stream.Stream.of(
                // property, its new value, its value before the update (null: the resource had none), the answer
                org.junit.jupiter.params.provider.Arguments.of("Configuration", REFUSED_CONFIGURATION, READ_CONFIGURATION, "FAILED"),
                org.junit.jupiter.params.provider.Arguments.of("Configuration", REFUSED_CONFIGURATION, null, "FAILED"),
                org.junit.jupiter.params.provider.Arguments.of("Configuration", REFUSED_CONFIGURATION, REFUSED_CONFIGURATION, "SUCCESS"),
                org.junit.jupiter.params.provider.Arguments.of("Configuration", REFUSED_CONFIGURATION, OTHER_REFUSED_CONFIGURATION, "SUCCESS"),
                org.junit.jupiter.params.provider.Arguments.of("Configuration", READ_CONFIGURATION, REFUSED_CONFIGURATION, "SUCCESS"),
                org.junit.jupiter.params.provider.Arguments.of("NetworkRanges", OVERLAPPING, APART, "FAILED"),
                org.junit.jupiter.params.provider.Arguments.of("NetworkRanges", OVERLAPPING, null, "FAILED"),
                org.junit.jupiter.params.provider.Arguments.of("NetworkRanges", OVERLAPPING, OVERLAPPING, "SUCCESS"),
                org.junit.jupiter.params.provider.Arguments.of("NetworkRanges", OVERLAPPING, OTHER_OVERLAPPING, "SUCCESS"),
                org.junit.jupiter.params.provider.Arguments.of("Rolling", STALLED, ROOMY, "FAILED"),
                org.junit.jupiter.params.provider.Arguments.of("Rolling", STALLED, null, "FAILED"),
                org.junit.jupiter.params.provider.Arguments.of("Rolling", STALLED, "[]", "FAILED"),
                org.junit.jupiter.params.provider.Arguments.of("Rolling", STALLED, STALLED, "SUCCESS"),
                org.junit.jupiter.params.provider.Arguments.of("Rolling", STALLED, OTHER_STALLED, "SUCCESS"));
    }

    /**
     * An Update checks a setting only when it changes from one the check passes. CloudFormation rolls a failed update back
     * with one more Update whose properties are the ones the stack had: they must not be refused, or the stack is left in
     * UPDATE_ROLLBACK_FAILED, when this version's check refuses what an older one accepted (or what no check ever saw) while
     * the refused update's own settings fail it too. A setting the update leaves as it is is not refused either: the stack
     * runs with it already.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("updates")
    void anUpdateRefusesASettingOnlyWhenItChangesFromOneThatPasses(String property, String value, String before, String status) {
        String request = with(request("Update", "[\"" + IMAGE + "\"]"), property, value);
        if (before != null) {
            request = request.replace("\"ResourceProperties\":", "\"OldResourceProperties\": {\"Prefix\": \"/pushdeploy/release\","
                    + " \"Names\": [\"" + IMAGE + "\"], \"" + property + "\": " + before + "}, \"ResourceProperties\":");
        }
        JsonNode response = invoke(request);
        assertEquals(status, response.path("Status").asText(), response.toString());
        assertEquals(status.equals("SUCCESS"), values.containsKey(IMAGE), "the parameters are created only on SUCCESS: " + values);
        if (status.equals("FAILED")) {
            assertTrue(response.path("Reason").asText().startsWith(property + ": "), response.toString());
        }
    }

    @Test
    void aDeleteSucceedsWhateverTheConfiguration() {
        JsonNode response = invoke(withConfiguration(request("Delete", "[\"" + IMAGE + "\"]"), "{\"targets\": []}"));
        assertEquals("SUCCESS", response.path("Status").asText());
    }

    @Test
    void aFailingCallStillAnswersWithABoundedReason() {
        failure = new IllegalStateException("x".repeat(5000));
        JsonNode response = invoke(request("Create", "[\"" + IMAGE + "\"]"));
        assertEquals("FAILED", response.path("Status").asText());
        assertEquals(ReleaseParametersHandler.REASON_MAX, response.path("Reason").asText().length());
    }

    /**
     * A class that cannot be loaded or initialised (a LinkageError, not an exception) still gets CloudFormation its answer:
     * without one it waits out ServiceTimeout and the stack operation fails, its rollback's Delete the same way.
     */
    @Test
    void aClassThatCannotLoadStillAnswersFailed() {
        failure = new NoClassDefFoundError("software/amazon/awssdk/services/ssm/model/PutParameterRequest");
        JsonNode response = invoke(request("Create", "[\"" + IMAGE + "\"]"));
        assertEquals("FAILED", response.path("Status").asText());
        assertEquals("software/amazon/awssdk/services/ssm/model/PutParameterRequest", response.path("Reason").asText());
    }

    @Test
    void anUnknownRequestTypeAnswersFailed() {
        JsonNode response = invoke(request("Replace", "[\"" + IMAGE + "\"]"));
        assertEquals("FAILED", response.path("Status").asText());
        assertTrue(response.path("Reason").asText().startsWith("RequestType: must be Create, Update or Delete"));
    }

    @Test
    void withoutAResponseUrlTheInvocationFails() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> handler.handleRequest(
                new ByteArrayInputStream("{\"RequestType\":\"Create\"}".getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), null));
        assertTrue(e.getMessage().startsWith("ResponseURL: missing"), e.getMessage());
        assertEquals("ResponseURL", e.field());
        assertTrue(urls.isEmpty());
    }

    @Test
    void primingCreatesTheFirstServicesParametersUnderTheStacksPrefixAndAnswersSuccess() {
        Target target = ConfigParser.parse(SampleStack.configDocument(null)).targets().get(0);
        ReleaseParametersHandler.Request request = handler.primingInput(PrimingSample.of(target, null, Clock.systemUTC()));

        ReleaseParametersHandler.Answer answer = handler.apply(request, StepLog.to(line -> { }, "ReleaseParameters"));

        String base = "/pushdeploy/release/" + target.cluster() + "/" + target.service();
        List<String> names = new ArrayList<>(List.of(base + "/image"));
        target.secrets().forEach(secret -> names.add(base + "/secret/" + secret.name()));
        assertTrue(names.size() > 1, "the sample service has secrets: " + names);
        assertEquals(new ReleaseParametersHandler.Answer("SUCCESS", names), answer);
        assertEquals(List.of(ReleaseParametersHandler.PRIMING_RESPONSE_URL), urls);
        assertEquals("snapstart-priming", responses.get(0).path("RequestId").asText());
    }
}
