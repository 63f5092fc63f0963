package dev.pushdeploy.adapter.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pushdeploy.adapter.json.Trees;
import dev.pushdeploy.config.Health;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.model.Verdict;
import dev.pushdeploy.rollout.RolloutSnapshot;
import dev.pushdeploy.rollout.RolloutVerdict;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/**
 * The verdict on responses shaped as ECS and ELB return them (every field the real APIs send,
 * after AWS's documentation and public examples: Fargate tasks with stop codes, stopped reasons,
 * container reasons and exit codes, health status and ENI attachments; deployments with
 * rollout states and reasons, failed-task counts, circuit-breaker rollbacks; target health with
 * reason codes), served over HTTP in each API's own protocol so that the SDK parses them and the
 * real {@link SdkRolloutObserver} builds the snapshot. One fixture per situation in
 * {@code src/test/resources/ecs-fixtures/}: {@code <situation>.json} holds the DescribeServices and
 * DescribeTasks answers (ListTasks answers from the latter) and names the DescribeTargetHealth
 * answer {@code target-health-<name>.xml}; the {@code sd-*} ones add ECS's DescribeServiceDeployments and
 * DescribeServiceRevisions answers, shaped after the API reference.
 */
class RealShapedResponsesTest {
    private static final String OURS = "ecs-svc/4203384927183920012";
    private static final String REV2 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2";
    private static final long STARTED = 1_764_500_000_000L;
    private static final Rollout ROLLOUT = new Rollout(OURS, REV2, STARTED, STARTED + 900_000, true, null);

    private static HttpServer server;
    private static EcsClient ecs;
    private static ElasticLoadBalancingV2Client elb;
    private static volatile JsonNode fixture;
    private static final Set<String> operations = ConcurrentHashMap.newKeySet();

    static Stream<Arguments> situations() {
        return Stream.of(
                situation("healthy-completed", Verdict.HEALTHY, "COMPLETED", "2/2 tasks running", "2 targets healthy"),
                situation("transient-pull-503-then-completed", Verdict.HEALTHY, "COMPLETED", "2 targets healthy"),
                situation("transient-pull-timeout-in-progress", Verdict.IN_PROGRESS, "1/2 tasks of web:2 running",
                        "not yet conclusive (failed to start)", "i/o timeout"),
                situation("repeated-pull-timeouts", Verdict.FAILED, "3 tasks of web:2 failed to start (repeated",
                        "i/o timeout", "network interface provisioning"),
                situation("manifest-not-found", Verdict.FAILED, "image not found (\"CannotPullContainerError … not found\"): task 8f7e6d5c4b3a4f2e1d0c9b8a7f6e5d43 (web:2)",
                        "[TaskFailedToStart]", "container app (CannotPullContainerError"),
                situation("registry-access-denied", Verdict.FAILED, "image pull access denied (\"CannotPullContainerError … 403 forbidden\"): task", "403 Forbidden"),
                situation("image-for-another-platform", Verdict.FAILED, "image built for another platform (\"does not contain descriptor matching platform\"): task", "linux/arm64"),
                situation("secrets-access-denied", Verdict.FAILED, "secrets or registry auth denied (\"ResourceInitializationError … accessdenied\"): task", "retrieve secrets from ssm",
                        "ssm:GetParameters", "AccessDeniedExc"),
                situation("secrets-older-wording", Verdict.FAILED, "secrets could not be retrieved (ECS already retried) (\"ResourceInitializationError … unable to retrieve secret from asm\"): task",
                        "unable to retrieve secret from asm"),
                situation("parameter-missing", Verdict.FAILED, "secret or parameter not found (\"ResourceInitializationError … invalid ssm parameters\"): task", "invalid ssm parameters"),
                situation("volume-errors-wait-for-circuit-breaker", Verdict.IN_PROGRESS, "0/2 tasks of web:2 running",
                        "the circuit breaker decides", "CannotCreateVolumeError"),
                situation("essential-container-exited-once", Verdict.IN_PROGRESS, "not yet conclusive (exited)",
                        "container app exit code 1"),
                situation("essential-container-exited-repeatedly", Verdict.FAILED, "2 tasks of web:2 exited (repeated",
                        "exit code 1", "exit code 137 (OutOfMemoryError: Container killed due to memory usage)"),
                situation("elb-health-check-replacements", Verdict.IN_PROGRESS, "1/2 tasks of web:2 running"),
                situation("targets-unhealthy", Verdict.IN_PROGRESS, "target 10.0.1.11:8080 is unhealthy (Target.ResponseCodeMismatch)",
                        "target 10.0.2.12:8080 is unhealthy (Target.Timeout) in target group pushdeploy-web"),
                situation("targets-registering", Verdict.IN_PROGRESS, "target 10.0.1.11:8080 is initial (Elb.RegistrationInProgress)"),
                situation("circuit-breaker-rolled-back", Verdict.ROLLED_BACK_BY_ECS, "ECS rolled deployment " + OURS,
                        "back to ecs-svc/5550001112223334445 (web:1)", "circuit breaker", "last event: (service web) (deployment"),
                situation("rollout-failed-while-primary", Verdict.FAILED, "deployment " + OURS + " (web:2) failed",
                        "ECS deployment circuit breaker: tasks failed to start.", "3 failed tasks"));
    }

    /**
     * Rolling situations as ECS reports them with service deployments (the shapes of the API reference's
     * DescribeServiceDeployments and DescribeServiceRevisions answers): the service names its
     * {@code currentServiceDeployment}, the check reads it, and ECS's word on the deployment decides.
     */
    static Stream<Arguments> serviceDeploymentSituations() {
        return Stream.of(
                situation("sd-successful", Verdict.HEALTHY, "(service deployment SUCCESSFUL)", "2/2 tasks running", "2 targets healthy"),
                situation("sd-in-progress-one-failure", Verdict.IN_PROGRESS, "ECS's service deployment of web:2 is IN_PROGRESS: 1/2 tasks running, 1 pending",
                        "circuit breaker MONITORING: 1 failed task(s) of 3", "i/o timeout"),
                situation("sd-circuit-breaker-rolling-back", Verdict.ROLLED_BACK_BY_ECS,
                        "ECS rolled the rolling deployment of web:2 back (ROLLBACK_IN_PROGRESS): Circuit breaker triggered",
                        "back to web:1", "circuit breaker TRIGGERED: 3 failed task(s), threshold 3"),
                situation("sd-stopped-without-rollback", Verdict.FAILED,
                        "ECS stopped the rolling deployment of web:2 (STOPPED): ECS deployment circuit breaker: tasks failed to start.",
                        "circuit breaker TRIGGERED: 3 failed task(s), threshold 3"));
    }

    private static Arguments situation(String name, Verdict verdict, String... reasonParts) {
        return Arguments.of(named(name, name), verdict, List.of(reasonParts));
    }

    @BeforeAll
    static void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", RealShapedResponsesTest::answer);
        server.start();
        URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
        ecs = EcsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
        elb = ElasticLoadBalancingV2Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterAll
    static void stop() {
        ecs.close();
        elb.close();
        server.stop(0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("situations")
    void verdictOnARealShapedSituation(String name, Verdict verdict, List<String> reasonParts) {
        RolloutSnapshot snapshot = serving(name).observe("pushdeploy", "web", Health.DEFAULT);

        assertEquals(fixture.path("describeTasks").path("tasks").size(), snapshot.tasks().size(), "every task listed and described");
        assertJudged(snapshot, verdict, reasonParts);
        assertTrue(operations.containsAll(Set.of("DescribeServices", "ListTasks", "DescribeTargetHealth")), operations.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serviceDeploymentSituations")
    void verdictOnARealShapedServiceDeployment(String name, Verdict verdict, List<String> reasonParts) {
        RolloutSnapshot snapshot = serving(name).observe("pushdeploy", "web", Health.DEFAULT, ROLLOUT);

        assertEquals(fixture.path("describeServiceDeployments").path("serviceDeployments").path(0).path("status").asText(),
                snapshot.serviceDeployment().status());
        assertJudged(snapshot, verdict, reasonParts);
        assertTrue(operations.containsAll(Set.of("DescribeServices", "ListTasks", "DescribeServiceDeployments",
                "DescribeServiceRevisions")), operations.toString());
        assertTrue(!operations.contains("ListServiceDeployments"), "the service names its current service deployment: no listing");
    }

    @org.junit.jupiter.api.Test
    void aServiceThatNamesNoServiceDeploymentIsJudgedFromDescribeServicesAlone() {
        RolloutSnapshot snapshot = serving("healthy-completed").observe("pushdeploy", "web", Health.DEFAULT, ROLLOUT);

        assertEquals(null, snapshot.serviceDeployment());
        assertTrue(operations.stream().noneMatch(o -> o.contains("ServiceDeployment")), operations.toString());
        assertEquals(Verdict.HEALTHY, RolloutVerdict.judge(snapshot, ROLLOUT, STARTED + 120_000).verdict());
    }

    /** Serves the situation {@code name} from now on, and the observer that reads it (no smoke check, alarms or hooks). */
    private static SdkRolloutObserver serving(String name) {
        fixture = Trees.tree(resource(name + ".json"));
        operations.clear();
        return new SdkRolloutObserver(ecs, elb, (url, status) -> {
            throw new AssertionError("no smoke check configured");
        });
    }

    /** The check's verdict on {@code snapshot} is {@code verdict}, and its reason says every one of {@code reasonParts}. */
    private static void assertJudged(RolloutSnapshot snapshot, Verdict verdict, List<String> reasonParts) {
        CheckResult result = RolloutVerdict.judge(snapshot, ROLLOUT, STARTED + 120_000);
        assertEquals(verdict, result.verdict(), result.reason());
        for (String part : reasonParts) {
            assertTrue(result.reason().contains(part), () -> "reason '" + result.reason() + "' lacks '" + part + "'");
        }
    }

    private static void answer(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        String contentType;
        String answer;
        if (target != null) {
            String operation = target.substring(target.indexOf('.') + 1);
            operations.add(operation);
            JsonNode request = Trees.tree(body);
            answer = switch (operation) {
                case "DescribeServices" -> fixture.path("describeServices").toString();
                case "ListTasks" -> listTasks(request.path("desiredStatus").asText());
                case "DescribeTasks" -> describeTasks(request.path("tasks"));
                case "DescribeServiceDeployments" -> fixture.path("describeServiceDeployments").toString();
                case "DescribeServiceRevisions" -> fixture.path("describeServiceRevisions").toString();
                default -> throw new AssertionError("unexpected ECS call " + operation);
            };
            contentType = "application/x-amz-json-1.1";
        } else {
            String action = URLDecoder.decode(body, StandardCharsets.UTF_8).replaceAll("(?s).*Action=([A-Za-z]+).*", "$1");
            assertEquals("DescribeTargetHealth", action);
            operations.add(action);
            answer = resource("target-health-" + fixture.path("targetHealth").asText() + ".xml");
            contentType = "text/xml";
        }
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.getResponseHeaders().add("x-amzn-RequestId", "5b1d8c2e-7f4a-4e3b-9c6d-0a1b2c3d4e5f");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static String listTasks(String desiredStatus) {
        ArrayNode arns = Trees.mapper().createArrayNode();
        fixture.path("describeTasks").path("tasks").forEach(t -> {
            if (t.path("desiredStatus").asText().equals(desiredStatus)) {
                arns.add(t.path("taskArn").asText());
            }
        });
        ObjectNode answer = Trees.object();
        answer.set("taskArns", arns);
        return answer.toString();
    }

    private static String describeTasks(JsonNode requested) {
        Set<String> wanted = new HashSet<>();
        requested.forEach(arn -> wanted.add(arn.asText()));
        ArrayNode tasks = Trees.mapper().createArrayNode();
        fixture.path("describeTasks").path("tasks").forEach(t -> {
            if (wanted.contains(t.path("taskArn").asText())) {
                tasks.add(t);
            }
        });
        ObjectNode answer = Trees.object();
        answer.set("tasks", tasks);
        answer.set("failures", Trees.mapper().createArrayNode());
        return answer.toString();
    }

    private static String resource(String name) {
        try (InputStream in = RealShapedResponsesTest.class.getResourceAsStream("/ecs-fixtures/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
