package dev.pushdeploy.local.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ledger.Reconciler;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.endpoint.CallHold;
import dev.pushdeploy.local.endpoint.ExecutionScope;
import dev.pushdeploy.local.lambda.LambdaRuntime;
import dev.pushdeploy.local.run.RunResult;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.model.Revisions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sfn.SfnClient;
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
                Arguments.of("Prepare", "PrepareFunction", Scenario.HEALTHY, false, false),
                Arguments.of("ScanGate", "ScanGateFunction", Scenario.HEALTHY, true, false),
                Arguments.of("Lock", "LockFunction", Scenario.HEALTHY, true, false),
                Arguments.of("RegisterTaskDefinition", "RegisterTaskDefinitionFunction", Scenario.HEALTHY, true, false),
                Arguments.of("StartDeployment", "StartDeploymentFunction", Scenario.HEALTHY, true, true),
                Arguments.of("CheckDeployment", "CheckDeploymentFunction", Scenario.SLOW_START, true, false),
                Arguments.of("Rollback", "RollbackFunction", Scenario.CRASH_LOOP, true, true),
                Arguments.of("Finalize", "FinalizeFunction", Scenario.HEALTHY, true, false));
    }

    /** {@code kept}: the step may still move the service after the stop, so the run keeps its lock until it has surely ended. */
    @ParameterizedTest(name = "stopped in {0}")
    @MethodSource("tasks")
    void stoppedWhileATaskRuns(String state, String function, Scenario scenario, boolean accepted, boolean kept) throws Exception {
        Workflow workflow = new Workflow(state.equals("ScanGate") ? TestRuntime.fresh("CRITICAL") : TestRuntime.fresh());
        String name = "stop-in-" + state;
        LambdaRuntime.Hold hold = workflow.runtime.lambdas().hold(function, 1);
        var run = workflow.start(workflow.pushEvent("v1.1.0"), scenario, name);
        assertTrue(hold.awaitArrival(Duration.ofMinutes(2)), function + " was invoked");
        workflow.runtime.stop(workflow.runtime.executionArn(name));
        Expected aborted = Expected.aborted(workflow.web.initialTaskDefinition());
        aborted = accepted ? aborted : aborted.notAccepted();
        account(workflow, name, run, hold::release, kept ? aborted.keepingTheLock() : aborted);
    }

    /**
     * RotateSecrets writes the secret slots without asking the lock, and its invocation runs on after the stop.
     * The run keeps its lock, marked closing, until that invocation has surely ended (the end plus the
     * function's timeout plus a margin, on the simulated clock); a run pushed right after waits for it, then
     * rotates and deploys on its own.
     */
    @Test
    void stoppedWhileRotatingSecretsKeepsTheLockUntilTheStepHasSurelyEnded() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        String name = "stop-in-RotateSecrets";
        LambdaRuntime.Hold hold = workflow.runtime.lambdas().hold("RotateSecretsFunction", 1);
        var run = workflow.start(workflow.pushEvent("v1.1.0"), Scenario.HEALTHY, name);
        assertTrue(hold.awaitArrival(Duration.ofMinutes(2)), "RotateSecretsFunction was invoked");
        workflow.runtime.stop(workflow.runtime.executionArn(name));
        LocalRuntime.Accounting end = account(workflow, name, run, hold::release, Expected.aborted(workflow.web.initialTaskDefinition()).keepingTheLock());

        Map<String, AttributeValue> lock = workflow.lock();
        assertEquals(name, lock.get("holder").s(), "kept by the stopped run");
        assertTrue(lock.get("closing").bool());
        long until = end.stoppedAt() / 1000 + 120 + Reconciler.KEEP_MARGIN.toSeconds();
        assertEquals(until, Long.parseLong(lock.get("expiresAt").n()), "until the step's timeout after the end");
        assertTrue(workflow.historyOf(name).get(0).get("reason").s().contains("(RotateSecrets's timeout after the end)"),
                workflow.historyOf(name).get(0).toString());

        RunResult next = workflow.run(workflow.pushEvent("v1.2.0"), Scenario.HEALTHY);
        assertEquals("SUCCEEDED", next.outcome(), next.reason());
        assertTrue(workflow.lockAnswers(next).stream().anyMatch(a -> a.contains("is kept by the ended request " + name + " until ")),
                "the next run waited for the kept lock: " + workflow.lockAnswers(next));
        assertTrue(workflow.lockAnswers(next).stream().noneMatch(a -> a.contains("supersede") || a.contains("already being deployed")),
                workflow.lockAnswers(next).toString());
        assertFalse(workflow.lockHeld(), "the lock is free after the next run");
    }

    /**
     * A step found its lock held and its execution running, and the stop lands before its write: the Lock
     * step's waiter registration or lock put (the lock being free), StartDeployment's UpdateService. The
     * reconciler accounts for the run first; the write lands after and must leave neither a queued or locked
     * run nor a service moving to a revision the record does not name.
     */
    static Stream<Arguments> writes() {
        return Stream.of(
                Arguments.of("Lock", "UpdateItem", "{\"S\":\"wait#", false),
                Arguments.of("Lock", "PutItem", "{\"S\":\"lock\"}", false),
                Arguments.of("StartDeployment", "UpdateService", "", true));
    }

    @ParameterizedTest(name = "stopped before {0} lands its {1}")
    @MethodSource("writes")
    void stoppedWhileAStepIsBetweenItsCalls(String state, String operation, String naming, boolean kept) throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        String name = "stop-before-" + operation;
        CallHold call = workflow.runtime.holdCall(r -> name.equals(r.header(ExecutionScope.HEADER))
                && r.operation().equals(operation) && new String(r.body(), StandardCharsets.UTF_8).contains(naming));
        var run = workflow.start(workflow.pushEvent("v1.1.0"), Scenario.HEALTHY, name);
        assertTrue(call.awaitArrival(Duration.ofMinutes(2)), state + " sent " + operation);
        workflow.runtime.stop(workflow.runtime.executionArn(name));
        Expected aborted = Expected.aborted(workflow.web.initialTaskDefinition());
        account(workflow, name, run, call::release, kept ? aborted.keepingTheLock() : aborted);
    }

    /**
     * StartDeployment's UpdateService lands after the stopped run was accounted for, while a run pushed after it
     * is under way. The stopped run keeps its lock until its step has surely ended, so the next run waits for it
     * instead of deploying under a move that may still land (which, landing on top of the next run's rollout,
     * ended that run INTERRUPTED, or with RollBackStoppedRuns on was undone to the revision before both); then it
     * prepares against what the service runs and deploys.
     */
    @ParameterizedTest(name = "RollBackStoppedRuns {0}")
    @ValueSource(booleans = {true, false})
    void aMoveThatLandsAfterTheStopMeetsNoNextRun(boolean rollBack) throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh(Map.of("RollBackStoppedRuns", String.valueOf(rollBack))));
        String name = "stop-before-move-" + rollBack;
        CallHold call = workflow.runtime.holdCall(r -> name.equals(r.header(ExecutionScope.HEADER)) && r.operation().equals("UpdateService"));
        var run = workflow.start(workflow.pushEvent("v1.1.0"), Scenario.HEALTHY, name);
        assertTrue(call.awaitArrival(Duration.ofMinutes(2)), "StartDeployment sent UpdateService");
        workflow.runtime.stop(workflow.runtime.executionArn(name));
        assertFalse(delivery(workflow, name).failed(), "the reconciler accounted for the stopped run");
        assertEquals("ABORTED", run.await().outcome());

        String next = "after-" + name;
        var nextRun = workflow.start(workflow.pushEvent("v1.2.0"), Scenario.HEALTHY, next);
        String reached = workflow.awaitState(next, "WaitForLock", "CheckDeployment");
        call.release();
        RunResult result = nextRun.await();

        assertEquals("SUCCEEDED", result.outcome(), result.reason() + "; the service runs " + workflow.liveTaskDefinition());
        assertEquals("WaitForLock", reached, "the next run waited for the kept lock");
        assertTrue(workflow.lockAnswers(result).stream().anyMatch(a -> a.contains("is kept by the ended request " + name + " until ")),
                workflow.lockAnswers(result).toString());
        assertTrue(workflow.liveImage().endsWith("@" + workflow.digestOf("v1.2.0")), "the next run's image is live: " + workflow.liveImage());
        assertFalse(workflow.lockHeld(), "the lock is free after the next run");
        Map<String, AttributeValue> record = workflow.historyOf(name).get(0);
        assertTrue(record.get("reason").s().contains("(StartDeployment's timeout after the end)"), record.toString());
    }

    /**
     * CheckDeployment again: watching the rollout or the rollback (a task that waits for ECS's events
     * with a task token), checking the rollback or the service after the bake.
     */
    static Stream<Arguments> laterChecks() {
        return Stream.of(
                Arguments.of("WaitForRollout", Scenario.SLOW_START, Map.of()),
                Arguments.of("CheckRollback", Scenario.CRASH_LOOP, Map.of()),
                Arguments.of("WaitForRollback", Scenario.CRASH_LOOP, Map.of()),
                Arguments.of("CheckAfterBake", Scenario.HEALTHY, Map.of("BakeSeconds", "20")));
    }

    @ParameterizedTest(name = "stopped in {0}")
    @MethodSource("laterChecks")
    void stoppedWhileALaterCheckRuns(String state, Scenario scenario, Map<String, String> parameters) throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh(parameters));
        String name = "stop-in-" + state;
        var run = workflow.start(workflow.pushEvent("v1.1.0"), scenario, name);
        LambdaRuntime.Hold hold = workflow.stopOnEntering(name, state, "CheckDeploymentFunction");
        assertTrue(hold != null, state + " was in flight");
        account(workflow, name, run, hold::release, Expected.aborted(workflow.web.initialTaskDefinition()));
    }

    /**
     * RollBackStoppedRuns off: a run stopped while its rollout was watched leaves the service on its own
     * revision, never verified, and its record and release parameters say so; the lock is free at once.
     */
    @Test
    void withRollBackStoppedRunsOffAStoppedRunLeavesTheServiceOnItsRevision() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh(Map.of("RollBackStoppedRuns", "false")));
        String name = "stop-left-there";
        String initial = workflow.web.initialTaskDefinition();
        var run = workflow.start(workflow.pushEvent("v1.1.0"), Scenario.SLOW_START, name);
        LambdaRuntime.Hold hold = workflow.stopOnEntering(name, "WaitForRollout", "CheckDeploymentFunction");
        assertTrue(hold != null, "WaitForRollout was in flight");
        account(workflow, name, run, hold::release, Expected.aborted(initial).leftThere());

        Map<String, AttributeValue> record = workflow.historyOf(name).get(0);
        assertEquals("ABORTED", record.get("outcome").s());
        assertNotEquals(initial, workflow.liveTaskDefinition(), "left on the stopped run's revision");
        assertTrue(record.get("reason").s().contains("never verified healthy; it is left there (RollBackStoppedRuns is off)"),
                record.toString());
        assertFalse(record.containsKey("rollback"), "nothing was rolled back: " + record);
    }

    /** Each wait, and the Task before it whose invocations lead there (WaitForLock, WaitForScan: stopped once they wait for their token). */
    static Stream<Arguments> waits() {
        return Stream.of(
                Arguments.of("WaitForLock", "LockFunction", Scenario.HEALTHY),
                Arguments.of("Bake", "CheckDeploymentFunction", Scenario.HEALTHY),
                Arguments.of("WaitForScan", "ScanGateFunction", Scenario.HEALTHY));
    }

    @ParameterizedTest(name = "stopped in {0}")
    @MethodSource("waits")
    void stoppedWhileWaiting(String state, String before, Scenario scenario) throws Exception {
        Workflow workflow = new Workflow(switch (state) {
            case "Bake" -> TestRuntime.fresh(Map.of("BakeSeconds", "60"));
            case "WaitForScan" -> TestRuntime.fresh("HIGH");
            default -> TestRuntime.fresh();
        });
        String name = "stop-in-" + state;
        Holder holder = null;
        if (state.equals("WaitForLock")) {
            LambdaRuntime.Hold holding = workflow.holdNext("CheckDeploymentFunction");
            holder = new Holder(workflow.start(workflow.pushEvent("v1.0.9"), Scenario.HEALTHY, "holder"), holding);
            assertTrue(holding.awaitArrival(Duration.ofMinutes(2)), "the holder checks its rollout");
        }
        String input = workflow.pushEvent("v1.2.0");
        if (state.equals("WaitForScan")) {
            input = workflow.unscannedDeploy("v1.1.1");
        }
        var run = workflow.start(input, scenario, name);
        if (state.equals("WaitForLock") || state.equals("WaitForScan")) {
            if (state.equals("WaitForLock")) {
                workflow.awaitItsTurnWaited(name);
            } else {
                workflow.awaitItsScanWatched(name);
            }
            workflow.runtime.stop(workflow.runtime.executionArn(name));
        } else {
            assertEquals(null, workflow.stopOnEntering(name, state, before));
        }
        String liveBefore = workflow.web.initialTaskDefinition();
        if (holder != null) {
            holder.holding().release();
            RunResult held = holder.run().await();
            assertEquals("SUCCEEDED", held.outcome(), "the holder was left alone: " + held.reason());
            liveBefore = workflow.liveTaskDefinition();
        }
        account(workflow, name, run, null, Expected.aborted(liveBefore));
    }

    /**
     * Stops landing at any moment of runs that wait for the lock (Prepare, Decide, Lock and WaitForLock in turn,
     * some while a Task state builds its request): each run is accounted for, its waiter gone, the holder left
     * alone, and its history stays readable, nothing after its end but ExecutionAborted. A stop in that instant
     * once left the emulator's history of the run unreadable (a 500 on every GetExecutionHistory), so the
     * reconciler could never account for it.
     */
    @Test
    void stoppedAtAnyMomentOfALockWait() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        LambdaRuntime.Hold holding = workflow.holdNext("CheckDeploymentFunction");
        Holder holder = new Holder(workflow.start(workflow.pushEvent("v1.0.9"), Scenario.HEALTHY, "holder"), holding);
        assertTrue(holding.awaitArrival(Duration.ofMinutes(2)), "the holder checks its rollout");
        SfnClient sfn = workflow.runtime.clients().build(SfnClient.builder());
        Random moments = new Random(11);
        try {
            for (int i = 0; i < 12; i++) {
                String name = "any-moment-" + i;
                var run = workflow.start(workflow.pushEvent("v1.2." + i), Scenario.HEALTHY, name);
                Thread.sleep(100 + moments.nextInt(1500));
                String arn = workflow.runtime.executionArn(name);
                workflow.runtime.stop(arn);
                LocalRuntime.Accounting delivery = delivery(workflow, name);
                assertEquals("ABORTED", run.await().outcome(), name);
                assertFalse(delivery.failed(), () -> name + ": " + delivery.deliveries() + "\n" + reconcilerLog());
                assertFalse(workflow.waiting(name), name + "'s waiter is gone");
                assertEquals("holder", workflow.lockHolder(), "the holder keeps the lock");
                List<String> ends = sfn.getExecutionHistoryPaginator(r -> r.executionArn(arn)).events().stream()
                        .map(e -> e.typeAsString()).filter(type -> type.startsWith("Execution") && !type.equals("ExecutionStarted"))
                        .toList();
                assertEquals(List.of("ExecutionAborted"), ends, name + " ended at once by its stop, nothing after it");
            }
        } finally {
            holder.holding().release();
            RunResult held = holder.run().await();
            assertEquals("SUCCEEDED", held.outcome(), "the holder was left alone: " + held.reason());
        }
    }

    /**
     * A run that reaches the state machine's time limit ends TIMED_OUT, wherever it is, with no Catch and no
     * Finalize, as a stopped one: the reconciler accounts for it the same way. The limit is shortened here (the
     * template's is above the longest path, {@code HistoryBudgetTest}) and the rollout made longer than it, so it
     * lands while the rollout is watched; on simulated time that takes seconds.
     */
    @Test
    void aRunThatReachesTheTimeLimitIsAccountedFor() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        SfnClient sfn = workflow.runtime.clients().build(SfnClient.builder());
        String machine = workflow.runtime.stack().stateMachineArn();
        ObjectNode definition = (ObjectNode) Json.tree(sfn.describeStateMachine(r -> r.stateMachineArn(machine)).definition());
        definition.put("TimeoutSeconds", 240);
        sfn.updateStateMachine(r -> r.stateMachineArn(machine).definition(definition.toString()));
        workflow.runtime.simulator().rolloutSeconds(3_600);
        String name = "time-limit";

        var run = workflow.start(workflow.pushEvent("v1.1.0"), Scenario.HEALTHY, name);
        account(workflow, name, run, null, Expected.aborted(workflow.web.initialTaskDefinition()).timedOut());

        String arn = workflow.runtime.executionArn(name);
        var described = sfn.describeExecution(r -> r.executionArn(arn));
        long ran = Duration.between(described.startDate(), described.stopDate()).toMillis();
        assertTrue(Math.abs(ran - 240_000) <= 1_000, "ended at its limit, not " + ran + " ms after its start");
        assertEquals("ExecutionTimedOut", sfn.getExecutionHistory(r -> r.executionArn(arn).reverseOrder(true).maxResults(1)).events()
                .get(0).typeAsString(), "the history's last event");
        String reason = workflow.historyOf(name).get(0).get("reason").s();
        assertTrue(reason.startsWith("the execution ran into the state machine's time limit in state "), reason);
        assertTrue(workflow.historyOf(name).get(0).get("rollback").s().startsWith("rolled back to "), workflow.historyOf(name).toString());
    }

    /**
     * A run still going when the runtime is reset (a test that failed half-way leaves one so) is stopped with its
     * world: none of its steps lands in the next one, whose service, lock and history stay as its bootstrap left
     * them. Such a run once went on into the next test's stack, the held step released after the reset.
     */
    @Test
    void aResetEndsTheRunsOfTheWorldItWipes() throws Exception {
        Workflow left = new Workflow(TestRuntime.fresh());
        LambdaRuntime.Hold hold = left.holdNext("CheckDeploymentFunction");
        left.start(left.pushEvent("v1.1.0"), Scenario.HEALTHY, "left-going");
        assertTrue(hold.awaitArrival(Duration.ofMinutes(2)), "the run checks its rollout");

        Workflow workflow = new Workflow(TestRuntime.fresh());
        settle();
        String initial = workflow.web.initialTaskDefinition();
        assertEquals(initial, workflow.liveTaskDefinition(), "nothing moved the new service");
        assertEquals(List.of(), workflow.historyOf("left-going"));
        assertFalse(workflow.lockHeld(), "no lock taken in the new world");
        RunResult result = workflow.push("v1.1.0", Scenario.HEALTHY);
        assertEquals("SUCCEEDED", result.outcome(), result.reason());
        assertEquals(initial, result.previousTaskDefinition(), "the next run deploys from the bootstrap's revision");
    }

    /** A slow deployment holding the lock while another run waits for it. */
    private record Holder(LocalRuntime.Run run, LambdaRuntime.Hold holding) {
    }

    /**
     * What a run's end must leave: its status; whether its request was accepted (else nothing is recorded);
     * {@code initial}, the revision live before the run could have moved the service; whether its lock is kept
     * for a step that may still run instead of released; whether an unverified revision goes back
     * (RollBackStoppedRuns) or is left live.
     */
    private record Expected(String status, boolean accepted, String initial, boolean kept, boolean rolledBack) {
        static Expected aborted(String initial) {
            return new Expected("ABORTED", true, initial, false, true);
        }

        Expected timedOut() {
            return new Expected("TIMED_OUT", accepted, initial, kept, rolledBack);
        }

        Expected notAccepted() {
            return new Expected(status, false, initial, kept, rolledBack);
        }

        Expected keepingTheLock() {
            return new Expected(status, accepted, initial, true, rolledBack);
        }

        Expected leftThere() {
            return new Expected(status, accepted, initial, kept, false);
        }
    }

    /**
     * Once the ended run's end reached the reconciler, lets the held step or call finish ({@code release};
     * the order that matters: a step finishing first is a stop just after it); then checks everything is
     * accounted for as {@code expected} says.
     */
    private static LocalRuntime.Accounting account(Workflow workflow, String name, LocalRuntime.Run run, Runnable release,
            Expected expected) {
        LocalRuntime.Accounting delivery = delivery(workflow, name);
        if (release != null) {
            release.run();
        }
        RunResult result = run.await();

        assertEquals(expected.status(), result.outcome(), result.reason());
        assertEquals(expected.status(), delivery.status());
        assertFalse(delivery.failed(), delivery.deliveries().toString());
        assertTrue(delivery.latency().compareTo(Duration.ofMinutes(1)) < 0, () -> "accounted for within a minute: " + delivery.latency()
                + " " + delivery.deliveries() + "\n" + reconcilerLog());
        settle();
        if (!expected.kept()) {
            assertNotEquals(name, workflow.lockHolder(), "the lock is free");
        }
        assertFalse(workflow.waiting(name), "the waiter is gone");
        List<Map<String, AttributeValue>> records = workflow.historyOf(name);
        List<JsonNode> notices = workflow.notices().stream().filter(n -> name.equals(n.path("requestId").asText())).toList();
        if (!expected.accepted()) {
            assertEquals(List.of(), records, "nothing was accepted, nothing is recorded");
            assertEquals(List.of(), notices);
            assertEquals(expected.initial(), workflow.liveTaskDefinition());
            return delivery;
        }
        assertEquals(1, records.size(), "exactly one history record: " + records);
        Map<String, AttributeValue> record = records.get(0);
        assertEquals(List.of(record.get("outcome").s()), notices.stream().map(n -> n.path("outcome").asText()).toList(),
                "one notification, saying what the record says");
        String live = workflow.liveTaskDefinition();
        assertEquals(live, record.get("taskDefinition").s(), "the service is where the record says: " + record);
        if (!"SUCCEEDED".equals(record.get("outcome").s()) && expected.rolledBack()) {
            assertEquals(expected.initial(), live, "an unverified revision went back (RollBackStoppedRuns): " + record);
        }
        if (workflow.ranTheLockFor(name)) {
            assertEquals(workflow.imageOf(live), releasedImage(workflow), "the release parameters name what is live");
        }
        return delivery;
    }

    /**
     * A rollback stopped on its way is left going to its revision, which was live before, in both settings:
     * undoing it (as a stopped deploy is undone) would move the service back onto the revision the rollback
     * was taking it off.
     */
    @ParameterizedTest(name = "RollBackStoppedRuns {0}")
    @ValueSource(booleans = {true, false})
    void aStoppedRollbackIsLeftGoingBack(boolean rollBack) throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh(Map.of("RollBackStoppedRuns", String.valueOf(rollBack))));
        assertEquals("SUCCEEDED", workflow.push("v1.1.0", Scenario.HEALTHY).outcome());
        String deployed = workflow.liveTaskDefinition();
        String name = "stopped-rollback-" + rollBack;
        LocalRuntime.Run run;
        try (var wallPace = workflow.runtime.holdTime()) {
            run = workflow.start("{\"action\":\"rollback\",\"service\":\"pushdeploy/web\",\"to\":\"previous\"}", Scenario.SLOW_START, name);
            workflow.awaitState(name, "WaitForRollout");
            workflow.runtime.stop(workflow.runtime.executionArn(name));
        }

        assertFalse(delivery(workflow, name).failed(), reconcilerLog());
        assertEquals("ABORTED", run.await().outcome());
        assertEquals(workflow.web.initialTaskDefinition(), workflow.liveTaskDefinition(), "not moved back to " + deployed);
        Map<String, AttributeValue> record = workflow.historyOf(name).get(0);
        assertTrue(record.get("reason").s().endsWith("with the service on its way back to "
                + Revisions.shortName(workflow.web.initialTaskDefinition()) + " (a rollback; it is not undone), not verified"), record.toString());
        assertFalse(record.containsKey("rollback"), record.toString());
        assertFalse(workflow.lockHeld());
        assertEquals(Optional.empty(), workflow.runtime.clockHolders(Duration.ofSeconds(20)),
                "the stop, landing in the Task state's request, leaves simulated time free");
    }

    /** How the end of the run named {@code name} reached the template's rules; fails when it reached none within 2 minutes. */
    private static LocalRuntime.Accounting delivery(Workflow workflow, String name) {
        return workflow.runtime.accounting(workflow.runtime.executionArn(name), Duration.ofMinutes(2))
                .filter(a -> !a.deliveries().isEmpty())
                .orElseThrow(() -> new AssertionError("the end of " + name + " reached no rule"));
    }

    /** What the event bus and the reconciler logged: why a delivery failed or came late. */
    private static String reconcilerLog() {
        return String.join("\n", TestRuntime.FUNCTION_LOG.stream()
                .filter(line -> line.startsWith("event bus") || line.startsWith("ReconcileFunction")).toList());
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
