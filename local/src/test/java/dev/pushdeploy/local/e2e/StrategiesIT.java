package dev.pushdeploy.local.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.run.RunResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * BLUE_GREEN, CANARY and LINEAR through the real state machine: the template's strategy parameters,
 * the simulator running ECS's lifecycle stages, the template's lifecycle hook invoked with ECS's
 * payload, and pushdeploy's verdict. Bakes are shortened to a minute (simulated: they cost no wall time).
 */
class StrategiesIT {
    /** The canary share in these runs. */
    static final double CANARY = 10;

    static Map<String, String> parameters(String strategy) {
        return Map.of("DeploymentStrategy", strategy, "CanaryPercent", String.valueOf(CANARY), "CanaryBakeMinutes", "1",
                "LinearStepPercent", "34", "LinearStepBakeMinutes", "1", "ShiftBakeMinutes", "2");
    }

    /** What the lifecycle hook answered, as it logged it. */
    static String hookAnswers() {
        return TestRuntime.FUNCTION_LOG.stream().filter(line -> line.startsWith("LifecycleHookFunction"))
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    /** The causes of the function invocations that failed. */
    static String failures(RunResult result) {
        StringBuilder causes = new StringBuilder();
        for (com.fasterxml.jackson.databind.JsonNode event : result.history()) {
            if (event.path("type").asText().equals("LambdaFunctionFailed")) {
                causes.append(event.path("lambdaFunctionFailedEventDetails").path("cause").asText()).append('\n');
            }
        }
        return causes.toString();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "BLUE_GREEN, healthy,       SUCCEEDED,   100, 100",
        "BLUE_GREEN, crash-loop,    ROLLED_BACK, 0,   0",
        "BLUE_GREEN, bad-smoke,     ROLLED_BACK, 0,   0",
        "BLUE_GREEN, alarm-in-bake, ROLLED_BACK, 100, 100",
        "CANARY,     healthy,       SUCCEEDED,   100, 100",
        "CANARY,     crash-loop,    ROLLED_BACK, 0,   0",
        "CANARY,     bad-smoke,     ROLLED_BACK, 0,   10",
        "CANARY,     alarm-in-bake, ROLLED_BACK, 100, 100",
        "LINEAR,     healthy,       SUCCEEDED,   100, 100",
        "LINEAR,     crash-loop,    ROLLED_BACK, 0,   0",
        "LINEAR,     bad-smoke,     ROLLED_BACK, 0,   0",
        "LINEAR,     alarm-in-bake, ROLLED_BACK, 100, 100"})
    void eachStrategyEndsAsItShould(String strategy, String scenario, String outcome, double atLeast, double atMost) {
        Workflow workflow = new Workflow(TestRuntime.fresh(parameters(strategy)));
        String initial = workflow.web.initialTaskDefinition();

        RunResult result = workflow.push("v1.1.0", Scenario.fromCliName(scenario));

        assertEquals(outcome, result.outcome(), result.reason() + "\n" + String.join("\n", workflow.output) + "\n" + failures(result)
                + "\n" + hookAnswers());
        assertEquals(strategy, result.rollout().strategy());
        assertEquals(strategy, result.summary().path("strategy").asText());
        double highest = result.summary().path("maxProductionPercent").asDouble(-1);
        assertTrue(highest >= atLeast && highest <= atMost, "highest production share " + highest + " % of " + strategy + " " + scenario
                + "\n" + hookAnswers());
        assertEquals(workflow.liveTaskDefinition(), result.taskDefinition());
        if (outcome.equals("SUCCEEDED")) {
            assertNotEquals(initial, result.taskDefinition());
            assertEquals(result.image(), workflow.liveImage());
        } else {
            assertEquals(initial, result.taskDefinition(), "the old revision serves again");
            assertEquals(workflow.web.repositoryUri() + "@" + workflow.web.initialDigest(), workflow.liveImage());
        }
        assertFalse(workflow.lockHeld(), "lock released");
        var record = workflow.historyOf(result);
        assertEquals(outcome, record.get("outcome").s());
        assertEquals(strategy, record.get("strategy").s(), "the history record names the strategy");
        assertEquals(result.summary().path("stage").asText(), record.get("stage").s(), "and the stage reached");
        assertEquals(highest, Double.parseDouble(record.get("maxProductionPercent").n()), "and the highest production share");
        assertEquals(List.of(outcome), workflow.notifiedOutcomes());
        switch (scenario) {
            case "bad-smoke" -> assertTrue(result.reason().contains("smoke check through the test listener failed"),
                    result.reason() + "\n" + hookAnswers());
            case "alarm-in-bake" -> assertTrue(result.reason().contains("pushdeploy-web-5xx-rate"), result.reason());
            default -> {
            }
        }
    }

    /**
     * The configuration document rewritten while ECS shifts traffic (a hand edit that does not parse, a stack update that
     * drops the service's target): the lifecycle hook judges the stages that follow by the version the run was prepared
     * with, as the run's own checks do, so the healthy release goes through, judged by its test listener's smoke check.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"broken", "untargeted"})
    void aConfigurationRewrittenDuringTheShiftLeavesTheHookToTheRunsVersion(String change) throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh(parameters("BLUE_GREEN")));
        RunResult result = workflow.duringTheRollout("shift-" + change, Scenario.HEALTHY, () -> workflow.changeConfigurationByHand(change));

        assertEquals("SUCCEEDED", result.outcome(), result.reason() + "\n" + hookAnswers());
        assertEquals(100, result.summary().path("maxProductionPercent").asDouble(-1), hookAnswers());
        assertTrue(hookAnswers().contains("smoke check through the test listener"), hookAnswers());
        assertFalse(hookAnswers().contains("\"hookStatus\":\"FAILED\""), hookAnswers());
        assertEquals(List.of(), Workflow.failedInvocations(result));
        assertFalse(workflow.lockHeld());
    }
}
