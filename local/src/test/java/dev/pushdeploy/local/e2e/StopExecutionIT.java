package dev.pushdeploy.local.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.lambda.LambdaRuntime;
import dev.pushdeploy.local.run.ExecutionStatusEvents;
import dev.pushdeploy.local.run.RunResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * Issue 8, case 2: StopExecution in every state where an execution spends time (Tasks, held in flight,
 * and Waits; Choice and Pass states take no time), through the real state machine. Step Functions runs
 * no Catch and no Finalize then; the reconciler, on the execution's status change event, must leave
 * the lock and the waiter free within a minute, exactly one history record (none for a run stopped
 * before its request was accepted), one notification, the service where the record says (back on the
 * revision live before, RollBackStoppedRuns being on by default) and release parameters naming it.
 * A step still in flight when its execution is stopped runs to its end afterwards, as on AWS; it must
 * change nothing the reconciler has accounted for.
 */
class StopExecutionIT {
    static Stream<Arguments> tasks() {
        return Stream.of(
                Arguments.of("Prepare", "PrepareFunction", Scenario.HEALTHY, false),
                Arguments.of("ScanGate", "ScanGateFunction", Scenario.HEALTHY, true),
                Arguments.of("Lock", "LockFunction", Scenario.HEALTHY, true),
                Arguments.of("RotateSecrets", "RotateSecretsFunction", Scenario.HEALTHY, true),
                Arguments.of("RegisterTaskDefinition", "RegisterTaskDefinitionFunction", Scenario.HEALTHY, true),
                Arguments.of("StartDeployment", "StartDeploymentFunction", Scenario.HEALTHY, true),
                Arguments.of("CheckDeployment", "CheckDeploymentFunction", Scenario.SLOW_START, true),
                Arguments.of("Rollback", "RollbackFunction", Scenario.CRASH_LOOP, true),
                Arguments.of("Finalize", "FinalizeFunction", Scenario.HEALTHY, true));
    }

    @ParameterizedTest(name = "stopped in {0}")
    @MethodSource("tasks")
    void stoppedWhileATaskRuns(String state, String function, Scenario scenario, boolean accepted) throws Exception {
        Workflow workflow = new Workflow(state.equals("ScanGate") ? TestRuntime.fresh("CRITICAL") : TestRuntime.fresh());
        String name = "stop-in-" + state;
        LambdaRuntime.Hold hold = workflow.runtime.lambdas().hold(function, 1);
        var run = workflow.start(workflow.pushEvent("v1.1.0"), scenario, name);
        assertTrue(hold.awaitArrival(Duration.ofMinutes(2)), function + " was invoked");
        stopAndAccount(workflow, name, run, hold, accepted);
    }

    /** The second invocation of CheckDeployment after {@code after} entered: the check of the rollback, or after the bake. */
    static Stream<Arguments> laterChecks() {
        return Stream.of(
                Arguments.of("CheckRollback", "Rollback", Scenario.CRASH_LOOP, Map.of()),
                Arguments.of("CheckAfterBake", "Bake", Scenario.HEALTHY, Map.of("BakeSeconds", "20")));
    }

    @ParameterizedTest(name = "stopped in {0}")
    @MethodSource("laterChecks")
    void stoppedWhileALaterCheckRuns(String state, String after, Scenario scenario, Map<String, String> parameters) throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh(parameters));
        String name = "stop-in-" + state;
        String gate = after.equals("Rollback") ? "RollbackFunction" : null;
        LambdaRuntime.Hold before = gate == null ? null : workflow.runtime.lambdas().hold(gate, 1);
        var run = workflow.start(workflow.pushEvent("v1.1.0"), scenario, name);
        if (before != null) {
            assertTrue(before.awaitArrival(Duration.ofMinutes(2)));
        } else {
            workflow.awaitState(name, after);
        }
        LambdaRuntime.Hold hold = workflow.runtime.lambdas().hold("CheckDeploymentFunction",
                workflow.runtime.lambdas().invocations("CheckDeploymentFunction") + 1);
        if (before != null) {
            before.release();
        }
        assertTrue(hold.awaitArrival(Duration.ofMinutes(2)), state + " was invoked");
        stopAndAccount(workflow, name, run, hold, true);
    }

    static Stream<Arguments> waits() {
        return Stream.of(
                Arguments.of("WaitForRollout", Scenario.SLOW_START),
                Arguments.of("WaitForRollback", Scenario.HEALTHY),
                Arguments.of("WaitForLock", Scenario.HEALTHY),
                Arguments.of("Bake", Scenario.HEALTHY),
                Arguments.of("WaitForScan", Scenario.HEALTHY));
    }

    @ParameterizedTest(name = "stopped in {0}")
    @MethodSource("waits")
    void stoppedWhileWaiting(String state, Scenario scenario) throws Exception {
        Workflow workflow = new Workflow(switch (state) {
            case "Bake" -> TestRuntime.fresh(Map.of("BakeSeconds", "60"));
            case "WaitForScan" -> TestRuntime.fresh("HIGH");
            default -> TestRuntime.fresh();
        });
        String name = "stop-in-" + state;
        Holder holder = null;
        if (state.equals("WaitForLock")) {
            holder = new Holder(workflow.start(workflow.pushEvent("v1.0.9"), Scenario.SLOW_START, "holder"));
            workflow.awaitState("holder", "CheckDeployment");
        }
        String input = workflow.pushEvent("v1.2.0");
        if (state.equals("WaitForRollback")) {
            for (int attempt = 1; attempt <= workflow.attemptsOnAnError("CheckDeployment"); attempt++) {
                workflow.runtime.lambdas().inject(dev.pushdeploy.local.lambda.Fault.crashBefore("CheckDeploymentFunction", attempt));
            }
        }
        if (state.equals("WaitForScan")) {
            input = workflow.unscannedDeploy("v1.1.1");
        }
        var run = workflow.start(input, scenario, name);
        workflow.awaitState(name, state);
        stopAndAccount(workflow, name, run, null, true);
        if (holder != null) {
            RunResult held = holder.run().await();
            assertEquals("SUCCEEDED", held.outcome(), "the holder was left alone: " + held.reason());
        }
    }

    /** A slow deployment holding the lock while another run waits for it. */
    private record Holder(dev.pushdeploy.local.LocalRuntime.Run run) {
    }

    /**
     * Stops the run; lets the held step finish once the reconciler is done (the order that matters: a
     * step finishing first is a stop just after it); then checks everything is accounted for.
     */
    private static void stopAndAccount(Workflow workflow, String name, dev.pushdeploy.local.LocalRuntime.Run run,
            LambdaRuntime.Hold hold, boolean accepted) {
        String arn = workflow.runtime.executionArn(name);
        String initial = workflow.web.initialTaskDefinition();
        workflow.runtime.stop(arn);
        ExecutionStatusEvents.Delivery delivery = workflow.runtime.statusEvents().awaitEnded(arn, Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("the end of " + name + " reached no rule"));
        if (hold != null) {
            hold.release();
        }
        RunResult result = run.await();

        assertEquals("ABORTED", result.outcome(), result.reason());
        assertFalse(delivery.failed(), delivery.answer());
        assertTrue(delivery.latency().compareTo(Duration.ofMinutes(1)) < 0, "accounted for within a minute: " + delivery.latency());
        settle();
        assertNotEquals(name, workflow.lockHolder(), "the lock is free");
        assertFalse(workflow.waiting(name), "the waiter is gone");
        List<Map<String, AttributeValue>> records = workflow.historyOf(name);
        List<JsonNode> notices = workflow.notices().stream().filter(n -> name.equals(n.path("requestId").asText())).toList();
        if (!accepted) {
            assertEquals(List.of(), records, "nothing was accepted, nothing is recorded");
            assertEquals(List.of(), notices);
            assertEquals(initial, workflow.liveTaskDefinition());
            return;
        }
        assertEquals(1, records.size(), "exactly one history record: " + records);
        Map<String, AttributeValue> record = records.get(0);
        assertEquals(List.of(record.get("outcome").s()), notices.stream().map(n -> n.path("outcome").asText()).toList(),
                "one notification, saying what the record says");
        String live = workflow.liveTaskDefinition();
        assertEquals(live, record.get("taskDefinition").s(), "the service is where the record says: " + record);
        if (!"SUCCEEDED".equals(record.get("outcome").s())) {
            assertEquals(initial, live, "an unverified revision went back (RollBackStoppedRuns): " + record);
        }
        if (workflow.ranTheLockFor(name)) {
            assertEquals(workflow.imageOf(live), releasedImage(workflow), "the release parameters name what is live");
        }
    }

    /** Steps held in flight finish after the stop; give them a moment to (not) change anything. */
    private static void settle() {
        try {
            Thread.sleep(1500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String releasedImage(Workflow workflow) {
        SsmClient ssm = workflow.runtime.clients().build(SsmClient.builder());
        return ssm.getParameter(r -> r.name(workflow.runtime.stack().releaseParameterPrefix() + "/"
                + workflow.web.target().cluster() + "/" + workflow.web.target().service() + "/image")).parameter().value();
    }
}
