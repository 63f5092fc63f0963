package dev.pushdeploy.local.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.lambda.Fault;
import dev.pushdeploy.local.run.RunResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scan gate on (template parameters {@code EnableScanGate=true}, {@code ScanGateSeverity}),
 * through the real state machine: the runtime starts the scan of every push, as ECR's scan on
 * push does, and moto's scan completes with one HIGH finding.
 */
class ScanGateIT {

    @Test
    void aHighFindingPassesACriticalGateAndTheImageGoesLive() {
        Workflow workflow = new Workflow(TestRuntime.fresh("CRITICAL"));
        String initial = workflow.web.initialTaskDefinition();
        RunResult result = workflow.push("v1.1.0", Scenario.HEALTHY);

        assertEquals("SUCCEEDED", result.outcome(), result.reason());
        assertEquals(List.of("ScanGate", "Lock"), entered(result, "ScanGate", "Lock"));
        assertNotEquals(initial, workflow.liveTaskDefinition());
        assertEquals(result.image(), workflow.liveImage());
        assertFalse(workflow.lockHeld(), "lock released");
        assertEquals(List.of("SUCCEEDED"), workflow.notifiedOutcomes());
    }

    @Test
    void aHighFindingRejectsTheImageBeforeTheServiceIsTouched() {
        Workflow workflow = new Workflow(TestRuntime.fresh("HIGH"));
        String initial = workflow.web.initialTaskDefinition();
        RunResult result = workflow.push("v1.1.0", Scenario.HEALTHY);

        assertEquals("REJECTED", result.outcome(), result.reason());
        assertEquals(2, result.exitCode());
        assertEquals("1 finding(s) at or above HIGH: HIGH=1", result.reason());
        assertEquals(List.of(), result.writes().stream().filter(w -> !w.startsWith("dynamodb:") && !w.startsWith("sns:")
                && !w.startsWith("events:")).toList(), "only the run's own books are written: " + result.writes());
        assertEquals(List.of("ScanGate"), entered(result, "ScanGate", "Lock"));
        assertFalse(workflow.lockHeld());
        assertEquals(initial, workflow.liveTaskDefinition());
        assertEquals(workflow.web.repositoryUri() + "@" + workflow.web.initialDigest(), workflow.liveImage());
        assertEquals(List.of(), workflow.runtime.simulator().deploymentStarts());
        assertEquals(1, workflow.history().size(), "the rejection is recorded once");
        assertEquals("REJECTED", workflow.historyOf(result).get("outcome").s());
        assertEquals(List.of("REJECTED"), workflow.notifiedOutcomes());
    }

    @Test
    void aCrashInsideTheScanGateStillEndsCleanly() {
        Workflow workflow = new Workflow(TestRuntime.fresh("CRITICAL"));
        workflow.runtime.lambdas().inject(Fault.crashAfter("ScanGateFunction", 1));
        RunResult result = workflow.push("v1.1.0", Scenario.HEALTHY);

        assertEquals("SUCCEEDED", result.outcome(), result.reason());
        assertTrue(Workflow.failedInvocations(result).contains("java.lang.RuntimeException"), "the fault happened");
        assertEquals(result.image(), workflow.liveImage());
        assertFalse(workflow.lockHeld(), "lock released");
        assertEquals("SUCCEEDED", workflow.historyOf(result).get("outcome").s());
        assertEquals(1, workflow.history().size());
        assertEquals(List.of("SUCCEEDED"), workflow.notifiedOutcomes());
    }

    /** The states among {@code names} the run entered, in order (each once, however often it was entered). */
    private static List<String> entered(RunResult result, String... names) {
        List<String> entered = new ArrayList<>();
        for (JsonNode event : result.history()) {
            String state = event.path("stateEnteredEventDetails").path("name").asText();
            if (List.of(names).contains(state) && !entered.contains(state)) {
                entered.add(state);
            }
        }
        return entered;
    }
}
