package dev.pushdeploy.local.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.events.LocalEventBus;
import dev.pushdeploy.local.run.ExecutionFeed;
import dev.pushdeploy.local.run.RunResult;
import dev.pushdeploy.model.Revisions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
        List<JsonNode> changes = runtime.bus().published().stream().map(LocalEventBus.Published::event)
                .filter(e -> e.path("detail-type").asText().equals(ExecutionFeed.DETAIL_TYPE))
                .filter(e -> e.path("detail").path("executionArn").asText().equals(result.executionArn()))
                .map(e -> (JsonNode) e).toList();
        assertEquals(List.of("RUNNING", "SUCCEEDED"), changes.stream().map(e -> e.path("detail").path("status").asText()).toList());
        JsonNode ended = changes.get(1);
        assertEquals("aws.states", ended.path("source").asText());
        assertEquals(List.of(result.executionArn()), List.of(ended.path("resources").get(0).asText()));
        assertEquals(runtime.stack().stateMachineArn(), ended.path("detail").path("stateMachineArn").asText());
        assertEquals("ECR Image Action", Json.tree(ended.path("detail").path("input").asText()).path("detail-type").asText());
        assertTrue(ended.path("detail").path("output").isTextual());
        assertTrue(ended.path("detail").path("stopDate").asLong() >= ended.path("detail").path("startDate").asLong());
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

    private RunResult push(String tag) {
        String digest = runtime.pushImage(repository, tag);
        return runtime.run(LocalRuntime.ecrPushEvent(repository, tag, digest).toString(), Scenario.HEALTHY, null, line -> { });
    }

    private static double seconds(JsonNode historyEvent) {
        JsonNode ts = historyEvent.path("timestamp");
        return ts.isNumber() ? ts.asDouble() : Instant.parse(ts.asText()).toEpochMilli() / 1000.0;
    }
}
