package dev.pushdeploy.local.time;

import static dev.pushdeploy.testing.HistoryEvents.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.events.LocalEventBus;
import dev.pushdeploy.local.lambda.LambdaRuntime;
import dev.pushdeploy.local.run.ExecutionFeed;
import dev.pushdeploy.local.run.RunResult;
import dev.pushdeploy.model.Revisions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * One simulated clock for moto's interpreter, the ECS simulator, the bus and the handlers: a long
 * rollout takes its full simulated time but little wall time, and the events of ECS and Step
 * Functions reach the bus at the simulated moments they happen.
 */
class SimulatedTimeIT {
    LocalRuntime runtime;
    String repository;

    @BeforeEach
    void fresh() {
        runtime = TestRuntime.fresh();
        repository = runtime.stack().service().target().repository();
    }

    @Test
    void aFifteenMinuteRolloutTakesFifteenSimulatedMinutesAndAFractionOfThatInWallTime() {
        runtime.simulator().rolloutSeconds(900);
        long wallStart = System.nanoTime();
        RunResult result = push("v1.1.0");
        double wall = (System.nanoTime() - wallStart) / 1e9;

        assertEquals("SUCCEEDED", result.outcome(), result.reason());
        double simulated = seconds(result.history().get(result.history().size() - 1)) - seconds(result.history().get(0));
        assertTrue(simulated >= 900, "simulated " + simulated + " s");
        assertTrue(wall * 3 < simulated, "wall " + wall + " s for " + simulated + " simulated s");

        List<LocalEventBus.Published> deployment = runtime.bus().published().stream()
                .filter(p -> p.event().path("detail-type").asText().equals("ECS Deployment State Change")).toList();
        assertEquals(List.of("SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED"),
                deployment.stream().map(p -> p.event().path("detail").path("eventName").asText()).toList());
        assertEquals(900_000, deployment.get(1).at() - deployment.get(0).at(), 500, "the rollout's own length, on the bus");
        String deploymentId = deployment.get(0).event().path("detail").path("deploymentId").asText();
        assertTrue(result.history().toString().contains(deploymentId), "the workflow started the deployment the events are about");
    }

    @Test
    void executionStatusChangesArePutOnTheBusAsStepFunctionsSendsThem() {
        RunResult result = push("v1.1.0");
        List<JsonNode> changes = statusChanges(result.executionArn());
        assertEquals(List.of("RUNNING", "SUCCEEDED"), changes.stream().map(e -> e.path("detail").path("status").asText()).toList());
        JsonNode ended = changes.get(1);
        assertEquals("aws.states", ended.path("source").asText());
        assertEquals(List.of(result.executionArn()), List.of(ended.path("resources").get(0).asText()));
        assertEquals(runtime.stack().stateMachineArn(), ended.path("detail").path("stateMachineArn").asText());
        assertEquals("ECR Image Action", Json.tree(ended.path("detail").path("input").asText()).path("detail-type").asText());
        assertTrue(ended.path("detail").path("output").isTextual());
        assertTrue(ended.path("detail").path("stopDate").asLong() >= ended.path("detail").path("startDate").asLong());
    }

    /**
     * StopExecution ends an execution at the simulated moment of the stop, after simulated time has
     * skipped ahead: the ABORTED event and DescribeExecution say so, and the reconciler's deadlines
     * (a lock kept for a step still in flight) count from it.
     */
    @Test
    void aStoppedExecutionEndsAtTheSimulatedMomentOfItsStop() throws Exception {
        skipAhead();

        LambdaRuntime.Hold hold = runtime.lambdas().hold("RotateSecretsFunction", runtime.lambdas().invocations("RotateSecretsFunction") + 1);
        String digest = runtime.pushImage(repository, "v1.2.0");
        LocalRuntime.Run run = runtime.start(LocalRuntime.ecrPushEvent(repository, "v1.2.0", digest).toString(), Scenario.HEALTHY,
                "stopped-after-a-skip", line -> { });
        assertTrue(hold.awaitArrival(Duration.ofMinutes(2)), "RotateSecretsFunction was invoked");
        long before = runtime.clock().millis();
        runtime.stop(runtime.executionArn("stopped-after-a-skip"));
        long after = runtime.clock().millis();
        hold.release();
        RunResult result = run.await();

        assertEquals("ABORTED", result.outcome(), result.reason());
        JsonNode ended = statusChanges(result.executionArn()).stream()
                .filter(e -> e.path("detail").path("status").asText().equals("ABORTED")).findFirst().orElseThrow();
        long stopDate = ended.path("detail").path("stopDate").asLong();
        assertWithin(before, after, stopDate, "stopped");
        assertNear(stopDate, Instant.parse(ended.path("time").asText()).toEpochMilli(), 1000, "the event's time");
        SfnClient sfn = runtime.clients().build(SfnClient.builder());
        Instant described = sfn.describeExecution(r -> r.executionArn(result.executionArn())).stopDate();
        assertNear(stopDate, described.toEpochMilli(), 1, "DescribeExecution's stopDate");
    }

    /** ECR dates a push at its simulated moment: the scan gate's polling and the lock queue's order read it. */
    @Test
    void anImageIsPushedAtTheSimulatedMoment() {
        skipAhead();
        long before = runtime.clock().millis();
        String digest = runtime.pushImage(repository, "v1.3.0");
        long after = runtime.clock().millis();

        EcrClient ecr = runtime.clients().build(EcrClient.builder());
        Instant pushedAt = ecr.describeImages(r -> r.repositoryName(repository).imageIds(i -> i.imageDigest(digest)))
                .imageDetails().get(0).imagePushedAt();
        assertWithin(before, after, pushedAt.toEpochMilli(), "pushed");
    }

    @Test
    void aPushPutOnTheBusStartsTheWorkflowThroughTheTemplatesRule() throws Exception {
        String initial = runtime.liveTaskDefinition("pushdeploy", "web");
        String digest = runtime.pushImage(repository, "v1.1.0");
        List<String> rules = runtime.bus().put(LocalRuntime.ecrPushEvent(repository, "v1.1.0", digest));
        assertEquals(List.of("PushRule"), rules);
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            boolean ended = runtime.bus().published().stream().map(LocalEventBus.Published::event)
                    .anyMatch(e -> e.path("detail-type").asText().equals(ExecutionFeed.DETAIL_TYPE)
                            && e.path("detail").path("status").asText().equals("SUCCEEDED"));
            if (ended) {
                String live = runtime.liveTaskDefinition("pushdeploy", "web");
                assertEquals(Revisions.revision(initial) + 1, Revisions.revision(live), "the push's revision is live: " + live);
                LocalEventBus.Delivery delivery = runtime.bus().delivered().stream()
                        .filter(d -> d.rule().equals("PushRule")).findFirst().orElseThrow();
                assertEquals(runtime.stack().stateMachineArn(), delivery.target());
                assertTrue(delivery.answer().startsWith("arn:aws:states:"), delivery.answer());
                assertTrue(delivery.deliveredAt() - delivery.publishedAt() >= LocalEventBus.LATENCY_MILLIS);
                assertEquals(1, delivery.attempts());
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the push put on the bus started no workflow that succeeded");
    }

    /** Simulated time runs ahead of the wall clock: a deploy whose rollout takes five simulated minutes. */
    private void skipAhead() {
        runtime.simulator().rolloutSeconds(300);
        RunResult deploy = push("v1.1.0");
        assertEquals("SUCCEEDED", deploy.outcome(), deploy.reason());
        assertTrue(runtime.clock().millis() - System.currentTimeMillis() >= 240_000, "simulated time skipped the rollout");
    }

    /** The execution status changes put on the bus for {@code executionArn}, in order. */
    private List<JsonNode> statusChanges(String executionArn) {
        return runtime.bus().published().stream().map(LocalEventBus.Published::event)
                .filter(e -> e.path("detail-type").asText().equals(ExecutionFeed.DETAIL_TYPE))
                .filter(e -> e.path("detail").path("executionArn").asText().equals(executionArn))
                .map(e -> (JsonNode) e).toList();
    }

    /**
     * Epoch millis within {@code tolerance} of each other. (assertEquals with a delta takes longs as floats, whose
     * spacing at today's epoch millis is 131,072 ms: two millis apart can compare as two minutes apart, or as equal.)
     */
    private static void assertNear(long expected, long actual, long tolerance, String what) {
        assertTrue(Math.abs(expected - actual) <= tolerance, what + ": " + Instant.ofEpochMilli(actual) + ", expected "
                + Instant.ofEpochMilli(expected) + " within " + tolerance + " ms");
    }

    /** {@code at} lies in the simulated window [before, after] of the call that dated it, give or take a second (dates in whole seconds). */
    private static void assertWithin(long before, long after, long at, String what) {
        assertTrue(at >= before - 1000 && at <= after + 1000,
                what + " at " + Instant.ofEpochMilli(at) + ", between " + Instant.ofEpochMilli(before) + " and " + Instant.ofEpochMilli(after));
    }

    private RunResult push(String tag) {
        String digest = runtime.pushImage(repository, tag);
        return runtime.run(LocalRuntime.ecrPushEvent(repository, tag, digest).toString(), Scenario.HEALTHY, null, line -> { });
    }
}
