package dev.pushdeploy.local.ecs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The simulator's {@code hookDetails} against the ECS developer guide
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.md): "When your function returns
 * IN_PROGRESS, you can also include hookDetails in the response. Amazon ECS merges this data and passes it back on the
 * next invocation." - "Data added to hookDetails at runtime only persists between invocations of the same hook within a
 * single deployment." - "For linear and canary deployments, Lambda hooks configured at PRODUCTION_TRAFFIC_SHIFT ... are
 * invoked at each traffic shift step."
 */
class HookDetailsTest {
    final FleetTest.ManualClock clock = new FleetTest.ManualClock();
    final Fleet fleet = new Fleet(clock, FleetTest::definition);
    double t;

    List<HookCall> nextHooks() {
        List<HookCall> due = List.of();
        while (due.isEmpty() && t < 3600) {
            clock.at(++t);
            due = fleet.dueHooks();
        }
        assertEquals(1, due.size(), "one hook due by t=" + t);
        return due;
    }

    /**
     * A LINEAR deployment (50 % steps, 1-minute step bakes) whose hook answers step 1 once IN_PROGRESS with a marker in
     * hookDetails, then SUCCEEDED. ECS hands the merged hookDetails to the hook's next invocations in that deployment,
     * step 2 included; the simulator starts every stage entry with none, so the pipeline's ITs never see a hook that
     * meets its own earlier state at a later step (the hook's defect LifecycleHookShiftStepsTest shows).
     */
    @Test
    void theHookDetailsOfAnEarlierStepComeBackAtTheNextStepOfTheSameDeployment() {
        fleet.adopt(FleetTest.motoService(FleetTest.TD1));
        fleet.trafficShift("pushdeploy/web", new TrafficShift("LINEAR", 5, 1, 50, 1, 1, "tg-alt", "LifecycleHookFunction",
                List.of("PRODUCTION_TRAFFIC_SHIFT"), List.of(), "X-Pushdeploy-Test", "f00d"));
        fleet.updated(FleetTest.motoService(FleetTest.TD2), FleetTest.NO_OPTIONS);

        HookCall first = nextHooks().get(0);
        assertEquals("PRODUCTION_TRAFFIC_SHIFT", first.stage);
        fleet.hookAnswered(first, Json.tree("{\"hookStatus\": \"IN_PROGRESS\", \"callBackDelay\": 5, \"hookDetails\": {\"seen\": \"step1\"}}"), null);
        HookCall again = nextHooks().get(0);
        assertEquals("step1", Json.tree(again.payload).path("hookDetails").path("seen").asText(), "passed back on the re-invocation");
        fleet.hookAnswered(again, Json.tree("{\"hookStatus\": \"SUCCEEDED\"}"), null);

        HookCall step2 = nextHooks().get(0);
        JsonNode payload = Json.tree(step2.payload);
        assertEquals(100.0, payload.path("executionDetails").path("productionTrafficWeights")
                .path(step2.deployment.serviceDeployment.targetRevision).asDouble(-1), "the second step: " + payload);
        assertEquals("step1", payload.path("hookDetails").path("seen").asText(null),
                "ECS merges the hookDetails a hook returned and passes them on every later invocation of the same hook in "
                        + "the deployment, each LINEAR step included; the simulator's payload for step 2 carries none: " + payload);
    }
}
