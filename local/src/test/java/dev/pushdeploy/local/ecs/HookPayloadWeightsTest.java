package dev.pushdeploy.local.ecs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The traffic weights in the simulator's hook payloads against the ECS developer guide's payload of each stage
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.md, "Lifecycle stage payloads"):
 * at POST_TEST_TRAFFIC_SHIFT and POST_PRODUCTION_TRAFFIC_SHIFT ECS sends {@code "testTrafficWeights": {},
 * "productionTrafficWeights": {}}, and at PRODUCTION_TRAFFIC_SHIFT {@code "testTrafficWeights": {}} beside the production
 * weights.
 */
class HookPayloadWeightsTest {
    final FleetTest.ManualClock clock = new FleetTest.ManualClock();
    final Fleet fleet = new Fleet(clock, FleetTest::definition);

    @Test
    void theStagesAfterAShiftCarryEmptyWeightsAsEcsSendsThem() {
        fleet.adopt(FleetTest.motoService(FleetTest.TD1));
        fleet.trafficShift("pushdeploy/web", new TrafficShift("BLUE_GREEN", 5, 1, 10, 1, 1, "tg-alt", "LifecycleHookFunction",
                List.of("POST_TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT"), List.of(),
                "X-Pushdeploy-Test", "f00d"));
        fleet.updated(FleetTest.motoService(FleetTest.TD2), FleetTest.NO_OPTIONS);

        List<String> seen = new ArrayList<>();
        for (double t = 1; t < 600 && seen.size() < 3; t++) {
            clock.at(t);
            for (HookCall call : fleet.dueHooks()) {
                JsonNode details = Json.tree(call.payload).path("executionDetails");
                seen.add(call.stage + " test=" + details.path("testTrafficWeights").size()
                        + " production=" + details.path("productionTrafficWeights").size());
                fleet.hookAnswered(call, Json.tree("{\"hookStatus\": \"SUCCEEDED\"}"), null);
            }
        }

        assertEquals(List.of("POST_TEST_TRAFFIC_SHIFT test=0 production=0", "PRODUCTION_TRAFFIC_SHIFT test=0 production=2",
                        "POST_PRODUCTION_TRAFFIC_SHIFT test=0 production=0"), seen,
                "number of revisions in each stage's testTrafficWeights/productionTrafficWeights: ECS's documented payloads send "
                        + "empty maps after a shift (and no test weights at the production shift); the simulator fills them, "
                        + "so the hook's fallbacks for empty weights (LifecycleHook.productionPercent) are never run by an IT");
    }
}
