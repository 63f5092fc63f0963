package dev.pushdeploy.local.time;

import static dev.pushdeploy.testing.HistoryEvents.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.run.RunResult;
import dev.pushdeploy.ops.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A rollout that ECS neither finishes nor reports on before its deadline (tasks that start too slowly; no deployment
 * or stopped-task event comes): only the watch's own rechecks look at it, after a quarter of the deadline window
 * each (TimeoutSecondsPath $.rollout.recheckSeconds), and the fourth finds the deadline passed. Through the real
 * state machine on simulated time, with the stack's deadline at 20 minutes and at an hour.
 */
class RecheckIT {
    @ParameterizedTest(name = "deadline {0} s: a recheck every {1} s")
    @CsvSource({"1200, 300, 600", "3600, 900, 1800"})
    void aRolloutNothingReportsOnIsFoundTimedOutByItsFourthRecheck(int deadline, int recheck, int rolloutSeconds) {
        LocalRuntime runtime = TestRuntime.fresh();
        runtime.reset(Map.of("DeploymentDeadlineSeconds", Integer.toString(deadline)));
        runtime.simulator().rolloutSeconds(rolloutSeconds);
        String repository = runtime.stack().service().target().repository();
        String digest = runtime.pushImage(repository, "v1.1.0");
        RunResult result = runtime.run(LocalRuntime.ecrPushEvent(repository, "v1.1.0", digest).toString(), Scenario.SLOW_START,
                null, line -> { });

        assertEquals("ROLLED_BACK", result.outcome(), result.reason());
        List<Double> watches = new ArrayList<>();
        JsonNode rollout = null;
        double timedOut = Double.NaN;
        for (JsonNode event : result.history()) {
            if (event.path("type").asText().equals("TaskStateEntered")
                    && event.path("stateEnteredEventDetails").path("name").asText().equals("WaitForRollout")) {
                watches.add(seconds(event));
                if (rollout == null) {
                    rollout = Json.tree(event.path("stateEnteredEventDetails").path("input").asText()).path("rollout");
                }
            }
            JsonNode output = event.path("taskSucceededEventDetails").path("output");
            if (Double.isNaN(timedOut) && output.isTextual() && Json.tree(output.asText()).path("verdict").asText().equals("TIMED_OUT")) {
                timedOut = seconds(event);
            }
        }
        assertTrue(rollout != null && !Double.isNaN(timedOut), "a watched rollout and a TIMED_OUT verdict: " + result.reason());
        assertEquals(recheck, rollout.path("recheckSeconds").asInt(), rollout.toString());
        assertEquals(1 + 4, watches.size(), "the watch and its four rechecks, entered at " + watches);
        for (int i = 1; i < watches.size(); i++) {
            assertEquals(recheck, watches.get(i) - watches.get(i - 1), 2.0, "recheck " + i + " of " + watches);
        }
        double startedAt = rollout.path("startedAt").asLong() / 1000.0;
        assertTrue(timedOut - startedAt >= deadline && timedOut - startedAt <= deadline + 30,
                "TIMED_OUT " + (timedOut - startedAt) + " s after the rollout started, deadline " + deadline + " s");
    }
}
