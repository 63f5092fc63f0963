package dev.pushdeploy.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.error.RunInterruptedException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.LockResult;
import dev.pushdeploy.model.LockStatus;
import dev.pushdeploy.model.Outcome;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.Result;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.model.StepError;
import dev.pushdeploy.model.Verdict;
import dev.pushdeploy.release.InMemoryTaskDefinitions;
import dev.pushdeploy.rollout.FakeEcsServices;
import dev.pushdeploy.rollout.DeploymentStarter;
import dev.pushdeploy.rollout.EcsServices;
import dev.pushdeploy.rollout.ServiceState;
import dev.pushdeploy.testing.SampleStack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The reconciler from outside the execution: whatever Finalize did not do, done once. */
class ReconcilerTest {
    static final String KEY = "pushdeploy/web";
    static final String ARN = "arn:aws:states:us-east-1:123456789012:execution:pushdeploy-deploy:exec-1";
    static final String PREFIX = SampleStack.RELEASE_PARAMETER_PREFIX;
    /** The three functions' timeouts, each its own so that one taken for another shows. */
    static final Reconciler.StepTimeouts TIMEOUTS = new Reconciler.StepTimeouts(Duration.ofSeconds(120), Duration.ofSeconds(61),
            Duration.ofSeconds(62));

    private final InMemoryLedger table = new InMemoryLedger();
    private final InMemoryTaskDefinitions taskDefinitions = new InMemoryTaskDefinitions();
    private FakeEcsServices services;
    private final InMemoryReleaseParameters releaseParameters = new InMemoryReleaseParameters();
    private final Map<String, String> parameters = releaseParameters.values;
    private final InMemoryKeptImages images = new InMemoryKeptImages();
    private final List<OutcomeNotice> published = new ArrayList<>();
    private final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T12:30:00Z"));
    private final List<String> updates = new ArrayList<>();
    private RunHistory.LastState last;
    private String v1;
    private String v2;

    @BeforeEach
    void twoRevisions() {
        v1 = taskDefinitions.add("web", "app", "repo@sha256:" + "1".repeat(64), Map.of("APP_SIGNING_KEY", SampleStack.SIGNING_KEY_PARAMETER + "/a"));
        v2 = taskDefinitions.add("web", "app", "repo@sha256:" + "2".repeat(64), Map.of("APP_SIGNING_KEY", SampleStack.SIGNING_KEY_PARAMETER + "/b"));
        services = new FakeEcsServices(v1, true);
    }

    @Test
    void aRunFinalizeRecordedNeedsNothingMore() {
        DeployRequest request = request();
        Finalizer.Input done = document(request, new Result(Outcome.SUCCEEDED, null), rolledOut(), healthy());
        services.update("pushdeploy", "web", v2);
        holdLock(request);
        new Finalizer(closer()).finish(done, log());
        last = new RunHistory.LastState("Deployed", done, null);

        Reconciler.Reconciled result = reconciler(true).reconcile(end("SUCCEEDED", null, null), log());

        assertFalse(result.recorded());
        assertFalse(result.announced());
        assertEquals(Outcome.SUCCEEDED, result.outcome());
        assertEquals(1, table.historyOf(KEY).size());
        assertEquals(1, published.size());
        assertEquals(List.of(), updates);
    }

    /** The revision to go back to was deregistered meanwhile: ECS refuses it, so the reconciler goes back to a copy of it. */
    @Test
    void aStoppedRunsWayBackToADeregisteredRevisionGoesToACopyOfIt() {
        DeployRequest request = request();
        services.update("pushdeploy", "web", v2);
        holdLock(request);
        last = new RunHistory.LastState("WaitForRollout", document(request, null, rolledOut(),
                new CheckResult(Verdict.IN_PROGRESS, "1/2 running", 5, 1, 2, 0)), null);
        taskDefinitions.deregister(v1);
        services.inactive = arn -> taskDefinitions.find(arn).filter(td -> !td.active()).isPresent();

        reconciler(true).reconcile(end("ABORTED", null, null), log());

        String copy = InMemoryTaskDefinitions.arn("web", 3);
        assertEquals(List.of(v1, copy), updates, "refused, then the copy");
        assertEquals(copy, services.taskDefinition());
        HistoryItem item = table.historyOf(KEY).get(0);
        assertEquals("rolled back to web:3 (web:1 registered again: it had been deregistered) by the reconciler (RollBackStoppedRuns);"
                + " not verified", item.rollback());
        assertEquals(copy, item.taskDefinition());
        assertEquals("repo@sha256:" + "1".repeat(64), parameters.get(PREFIX + "/pushdeploy/web/image"), "the old image is live again");
    }

    @Test
    void finalizeFailingOnEveryAttemptIsRecordedWithTheRunsOwnOutcome() {
        DeployRequest request = request();
        services.update("pushdeploy", "web", v2);
        holdLock(request);
        table.registerWaiter(KEY, new WaiterItem("exec-1", Action.DEPLOY, null, null, 1, 1, 1, Long.MAX_VALUE));
        last = new RunHistory.LastState("FinalizeFailed", document(request, new Result(Outcome.SUCCEEDED, null), rolledOut(), healthy()),
                new StepError("java.lang.RuntimeException", "injected fault: invocation 5 of FinalizeFunction crashed"));

        Reconciler.Reconciled result = reconciler(true).reconcile(end("FAILED", "FINALIZE_FAILED", "injected fault"), log());

        assertTrue(result.recorded() && result.announced());
        HistoryItem item = table.historyOf(KEY).get(0);
        assertEquals(Outcome.SUCCEEDED, item.outcome());
        assertEquals("healthy: 2/2", item.reason());
        assertEquals("reconciler", item.recordedBy());
        assertEquals(List.of("Finalize did not finish (FAILED: java.lang.RuntimeException: injected fault: invocation 5 of "
                + "FinalizeFunction crashed); recorded by the reconciler"), item.warnings());
        assertEquals(v2, item.verifiedTaskDefinition());
        assertTrue(table.lock(KEY).isEmpty());
        assertTrue(table.waiters(KEY).isEmpty());
        assertEquals("repo@sha256:" + "2".repeat(64), parameters.get(PREFIX + "/pushdeploy/web/image"), "the parameters name what is live");
        assertEquals(List.of(Outcome.SUCCEEDED), published.stream().map(OutcomeNotice::outcome).toList());
        assertEquals(List.of(), updates);
    }

    /** A run Finalize did not end: the reconciler keeps the live image from the lifecycle policy, as Finalize would have. */
    @Test
    void theReconcilerKeepsTheLiveImageFinalizeDidNot() {
        String digest = "sha256:" + "3".repeat(64);
        images.push("web", digest, "v3");
        String v3 = taskDefinitions.add("web", "app", "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@" + digest,
                Map.of("APP_SIGNING_KEY", SampleStack.SIGNING_KEY_PARAMETER + "/b"));
        DeployRequest request = request();
        services.update("pushdeploy", "web", v3);
        holdLock(request);
        last = new RunHistory.LastState("FinalizeFailed", document(request, new Result(Outcome.SUCCEEDED, null),
                new Rollout("ecs-svc/1", v3, 1, 2, true, null), healthy()),
                new StepError("java.lang.RuntimeException", "injected fault: invocation 5 of FinalizeFunction crashed"));

        reconciler(true).reconcile(end("FAILED", "FINALIZE_FAILED", "injected fault"), log());

        assertEquals(List.of("v3", KeptImages.tag("web", 3)), images.tags("web", digest).orElseThrow());
        assertEquals(Outcome.SUCCEEDED, table.historyOf(KEY).get(0).outcome());
    }

    @Test
    void aRunStoppedMidRolloutIsRolledBackWhenTheSettingSaysSo() {
        DeployRequest request = request();
        services.update("pushdeploy", "web", v2);

        holdLock(request);
        last = new RunHistory.LastState("WaitForRollout", document(request, null, rolledOut(),
                new CheckResult(Verdict.IN_PROGRESS, "1/2 running", 5, 1, 2, 0)), null);
        services.describes = 0;

        Reconciler.Reconciled result = reconciler(true).reconcile(end("ABORTED", null, null), log());

        assertEquals(Outcome.ABORTED, result.outcome());
        assertEquals(List.of(v1), updates, "UpdateService back to the recorded revision");
        assertEquals(2, services.describes, "the service read once taken over (the move starts from it) and once moved back");
        HistoryItem item = table.historyOf(KEY).get(0);
        assertEquals("the execution was stopped in state WaitForRollout, with the service on web:2, never verified healthy", item.reason());
        assertEquals("rolled back to web:1 by the reconciler (RollBackStoppedRuns); not verified", item.rollback());
        assertEquals(v1, item.taskDefinition());
        assertNull(item.verifiedTaskDefinition());
        assertEquals("repo@sha256:" + "1".repeat(64), parameters.get(PREFIX + "/pushdeploy/web/image"));
        assertTrue(table.lock(KEY).isEmpty());
        assertEquals(1, published.size());
        assertEquals(item.rollback(), published.get(0).rollback());
    }

    /**
     * A run stopped mid-rollout whose service was deleted since: nothing to roll back; the run is recorded and its lock
     * freed, the record saying so (before, it said the revision had not reached the service, which "stays on (unknown)").
     */
    @Test
    void aStoppedRunWhoseServiceWasDeletedIsRecordedWithoutAWayBack() {
        DeployRequest request = request();
        services.update("pushdeploy", "web", v2);
        holdLock(request);
        last = new RunHistory.LastState("WaitForRollout", document(request, null, rolledOut(),
                new CheckResult(Verdict.IN_PROGRESS, "1/2 running", 5, 1, 2, 0)), null);
        services.delete();

        Reconciler.Reconciled result = reconciler(true).reconcile(end("ABORTED", null, null), log());

        assertEquals(Outcome.ABORTED, result.outcome());
        assertEquals(List.of(), updates);
        HistoryItem item = table.historyOf(KEY).get(0);
        assertEquals("the execution was stopped in state WaitForRollout, and pushdeploy/web no longer exists or is not ACTIVE (deleted,"
                + " or being deleted, by someone else): nothing is left to roll back", item.reason());
        assertNull(item.rollback());
        assertTrue(table.lock(KEY).isEmpty());
        assertEquals(1, published.size());
    }

    /** A first release stopped mid-rollout: back to the bootstrap revision with no task, the release parameters at none. */
    @Test
    void aFirstReleaseStoppedMidRolloutGoesBackToNoTask() {
        String bootstrap = taskDefinitions.add("web", "app", "repo:bootstrap", Map.of());
        services.runOnly(bootstrap, 0);
        DeployRequest request = request().toBuilder().previousTaskDefinition(bootstrap).previousImage("repo:bootstrap")
                .desiredCount(2).previousDesiredCount(0).build();
        services.update("pushdeploy", "web", v2, 2);
        holdLock(request);
        last = new RunHistory.LastState("WaitForRollout", document(request, null, rolledOut(),
                new CheckResult(Verdict.IN_PROGRESS, "1/2 running", 5, 1, 2, 0)), null);

        Reconciler.Reconciled result = reconciler(true).reconcile(end("ABORTED", null, null), log());

        assertEquals(Outcome.ABORTED, result.outcome());
        assertEquals(List.of(bootstrap), updates);
        assertEquals(0, services.desiredCount(), "nothing half-deployed keeps running");
        assertEquals(bootstrap, table.historyOf(KEY).get(0).taskDefinition());
        assertEquals(RunCloser.NO_RELEASE, parameters.get(PREFIX + "/pushdeploy/web/image"));
        assertEquals(RunCloser.NO_RELEASE, parameters.get(PREFIX + "/pushdeploy/web/secret/APP_SIGNING_KEY"));
    }

    /** How the end is told: a stop's cause (an operator's "who and why") and a failure's error and cause, each bounded. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "ABORTED   | -                | -                                | the execution was stopped",
        "ABORTED   | -                | ''                               | the execution was stopped",
        "ABORTED   | -                | cancelled by alice: wrong image  | the execution was stopped (cancelled by alice: wrong image)",
        "TIMED_OUT | States.Timeout   | -                                | the execution ran into the state machine's time limit",
        "FAILED    | States.Runtime   | history events (25000)           | the execution failed with States.Runtime (history events (25000))",
        "FAILED    | -                | -                                | the execution failed",
    })
    void theEndIsToldWithItsCause(String status, String error, String cause, String told) {
        DeployRequest request = request();
        holdLock(request);
        last = new RunHistory.LastState("CheckDeployment", document(request, null, rolledOut(), null), null);

        reconciler(false).reconcile(end(status, error, cause), log());

        assertEquals(told + " in state CheckDeployment", table.historyOf(KEY).get(0).reason().split(", ")[0]);
    }

    @Test
    void aLongCauseIsCut() {
        DeployRequest request = request();
        holdLock(request);
        last = new RunHistory.LastState("CheckDeployment", document(request, null, rolledOut(), null), null);

        reconciler(false).reconcile(end("ABORTED", null, "x".repeat(32_768)), log());

        String reason = table.historyOf(KEY).get(0).reason();
        assertTrue(reason.startsWith("the execution was stopped (" + "x".repeat(Reconciler.MAX_CAUSE - 1) + "…) in state CheckDeployment"), reason);
        assertTrue(reason.length() < Reconciler.MAX_CAUSE + 300, reason.length() + " characters");
    }

    @Test
    void withoutTheSettingTheUnverifiedRevisionIsLeftAndTheRecordSaysSo() {
        DeployRequest request = request();
        services.update("pushdeploy", "web", v2);
        holdLock(request);
        last = new RunHistory.LastState("CheckDeployment", document(request, null, rolledOut(), null), null);

        reconciler(false).reconcile(end("ABORTED", null, null), log());

        HistoryItem item = table.historyOf(KEY).get(0);
        assertEquals("the execution was stopped in state CheckDeployment, with the service on web:2, never verified healthy; it is left "
                + "there (RollBackStoppedRuns is off)", item.reason());
        assertNull(item.rollback());
        assertEquals(List.of(), updates);
        assertEquals(v2, item.taskDefinition());
        assertEquals("repo@sha256:" + "2".repeat(64), parameters.get(PREFIX + "/pushdeploy/web/image"), "the next sam deploy keeps it");
    }

    @Test
    void withoutTheSettingARollbackInFlightIsNamedAsAMoveThatMayStillLand() {
        DeployRequest request = request();
        services.update("pushdeploy", "web", v2);
        holdLock(request);
        last = new RunHistory.LastState("Rollback", document(request, null, rolledOut(), null), null);

        reconciler(false).reconcile(end("ABORTED", null, null), log());

        assertEquals("the execution was stopped in state Rollback, with the service on web:2, never verified healthy; it is left "
                + "there (RollBackStoppedRuns is off); Rollback was in flight: a move back to web:1 that lands now stays; the lock stays "
                + "with this run until " + clock.instant().plus(TIMEOUTS.rollback()).plus(Reconciler.KEEP_MARGIN) + " (Rollback's timeout "
                + "after the end), so that no next run moves the service while a move of Rollback may still land",
                table.historyOf(KEY).get(0).reason());
        assertEquals(List.of(), updates);
    }

    /**
     * RotateSecrets writes the slots and the database role without asking the lock, and an invocation in flight
     * at the stop runs on: the run keeps its lock (closing) until that invocation has surely ended, so the next
     * run cannot rotate under it; a repeated delivery keeps it too; a waiter gets it once the time has passed,
     * and is neither superseded nor taken for a duplicate by the ended run meanwhile.
     */
    @Test
    void aRunStoppedInRotateSecretsKeepsItsLockUntilTheStepHasSurelyEnded() {
        DeployRequest request = request();
        holdLock(request);
        table.registerWaiter(KEY, new WaiterItem("exec-1", Action.DEPLOY, null, null, 1, 1, 1, Long.MAX_VALUE));
        last = new RunHistory.LastState("RotateSecrets", document(request, null, null, null), null);
        Instant stopped = clock.instant();
        Instant until = stopped.plus(TIMEOUTS.rotateSecrets()).plus(Reconciler.KEEP_MARGIN);

        Reconciler.Reconciled result = reconciler(true).reconcile(end("ABORTED", null, null), log());
        clock.advance(Duration.ofSeconds(5));
        reconciler(true).reconcile(new Reconciler.ExecutionEnd(ARN, "ABORTED", null, null, stopped), log());

        assertTrue(result.recorded());
        HistoryItem item = table.historyOf(KEY).get(0);
        assertEquals("the execution was stopped in state RotateSecrets, before its revision reached the service; the service stays on "
                + "web:1; the lock stays with this run until " + until + " (RotateSecrets's timeout after the end), so that no next run "
                + "rotates the secrets while RotateSecrets may still write them", item.reason());
        LockItem kept = table.lock(KEY).orElseThrow();
        assertEquals("exec-1", kept.holder(), "kept, also by the repeated delivery");
        assertTrue(kept.closing());
        assertEquals(until.getEpochSecond(), kept.expiresAt());
        assertTrue(table.waiters(KEY).isEmpty());
        assertEquals(1, published.size());
        assertEquals(List.of(), updates);

        LockService locks = new LockService(table, arn -> Optional.of(stopped), token -> true, clock);
        DeployRequest older = request().toBuilder().requestId("exec-0").pushedAt(0L).executionArn(ARN + "-0")
                .image("repo@sha256:" + "3".repeat(64)).digest("sha256:" + "3".repeat(64)).build();
        DeployRequest same = request().toBuilder().requestId("exec-2").executionArn(ARN + "-2").build();
        for (DeployRequest next : List.of(older, same)) {
            LockResult waiting = locks.acquire(next);
            assertEquals(LockStatus.WAITING, waiting.status(), waiting.reason());
            assertEquals("pushdeploy/web is kept by the ended request exec-1 until " + until + ", when its last step has surely ended",
                    waiting.reason());
        }
        clock.set(until.plusSeconds(1));
        assertEquals(LockStatus.SUPERSEDED, locks.acquire(older).status(), "the newer waiter, not the ended run, supersedes it");
        assertEquals(LockStatus.ACQUIRED, locks.acquire(same).status());
    }

    /**
     * Each step that may still write after its execution ended keeps the run's lock, closing, for that function's
     * timeout after the end, whatever the setting, when the execution was stopped or timed out, and so does the Wait after
     * its failed Invoke call (its lost invocation may still write); any other state, or a failure (the failing step's own
     * end), frees it.
     */
    @ParameterizedTest(name = "{0}, {1}, RollBackStoppedRuns {2}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "RotateSecrets          | ABORTED   | true  | 120",
            "RotateSecrets          | TIMED_OUT | false | 120",
            "StartDeployment        | ABORTED   | true  | 61",
            "StartDeployment        | ABORTED   | false | 61",
            "StartDeployment        | FAILED    | true  | -",
            "Rollback               | ABORTED   | true  | 62",
            "Rollback               | TIMED_OUT | false | 62",
            "RotationEnded          | ABORTED   | true  | 120",
            "StartEnded             | ABORTED   | false | 61",
            "RollbackEnded          | TIMED_OUT | true  | 62",
            "RegisterTaskDefinition | ABORTED   | true  | -",
            "CheckDeployment        | ABORTED   | false | -",
            "WaitForRollout         | TIMED_OUT | true  | -"})
    void theLockIsKeptForAStepThatMayStillWrite(String state, String status, boolean rollBack, Integer keptSeconds) {
        DeployRequest request = request();
        holdLock(request);
        last = new RunHistory.LastState(state, document(request, null, null, null), null);
        Instant until = clock.instant().plusSeconds(keptSeconds == null ? 0 : keptSeconds).plus(Reconciler.KEEP_MARGIN);

        reconciler(rollBack).reconcile(end(status, null, null), log());

        String reason = table.historyOf(KEY).get(0).reason();
        if (keptSeconds == null) {
            assertTrue(table.lock(KEY).isEmpty(), "released at once");
            assertFalse(reason.contains("the lock stays"), reason);
            return;
        }
        LockItem kept = table.lock(KEY).orElseThrow();
        assertEquals("exec-1", kept.holder());
        assertTrue(kept.closing(), "no step of the run moves the service with it");
        assertEquals(until.getEpochSecond(), kept.expiresAt());
        assertTrue(reason.contains("; the lock stays with this run until " + until + " (" + state + "'s timeout after the end)"), reason);
    }

    @Test
    void aRunStoppedInAnotherStepReleasesItsLockAtOnce() {
        DeployRequest request = request();
        holdLock(request);
        last = new RunHistory.LastState("RegisterTaskDefinition", document(request, null, null, null), null);

        reconciler(true).reconcile(end("ABORTED", null, null), log());

        assertTrue(table.lock(KEY).isEmpty());
        assertFalse(table.historyOf(KEY).get(0).reason().contains("RotateSecrets"));
    }

    @Test
    void aServiceLimitFailureAfterUpdateServiceIsRecordedAsFailedWithTheError() {
        DeployRequest request = request();
        services.update("pushdeploy", "web", v2);
        holdLock(request);
        Finalizer.Input enteringStart = new Finalizer.Input(request, null, new Release(v2, "web", 2, "repo@2", true), null, null,
                null, null, new LockResult(LockStatus.ACQUIRED, "exec-1", "acquired"), null, null, null, null);
        last = new RunHistory.LastState("StartDeployment", enteringStart, null);

        reconciler(true).reconcile(end("FAILED", "States.DataLimitExceeded",
                "The state/task 'StartDeployment' returned a result with a size exceeding the maximum number of bytes service limit."), log());

        HistoryItem item = table.historyOf(KEY).get(0);
        assertEquals(Outcome.FAILED, item.outcome());
        assertEquals("States.DataLimitExceeded", item.error());
        assertTrue(item.reason().startsWith("the execution failed with States.DataLimitExceeded (The state/task 'StartDeployment' "),
                item.reason());
        assertTrue(item.reason().endsWith("in state StartDeployment, with the service on web:2, never verified healthy"), item.reason());
        assertEquals(List.of(v1), updates);
    }

    @Test
    void aRunStoppedWhileWaitingForTheLockLeavesTheHolderAlone() {
        DeployRequest request = request();
        table.locks.put(KEY, new LockItem("other", null, Action.DEPLOY, null, null, 1, 1, 1, Long.MAX_VALUE));
        table.registerWaiter(KEY, new WaiterItem("exec-1", Action.DEPLOY, null, null, 1, 2, 1, Long.MAX_VALUE));
        last = new RunHistory.LastState("WaitForLock", new Finalizer.Input(request, null, null, null, null, null, null,
                new LockResult(LockStatus.WAITING, "other", "locked", 10, 2), null, null, null, null), null);

        reconciler(true).reconcile(end("ABORTED", null, null), log());

        HistoryItem item = table.historyOf(KEY).get(0);
        assertEquals(Outcome.ABORTED, item.outcome());
        assertEquals("the execution was stopped in state WaitForLock, while waiting for the lock of pushdeploy/web; the service was "
                + "not touched", item.reason());
        assertEquals("other", table.lock(KEY).orElseThrow().holder());
        assertTrue(table.waiters(KEY).isEmpty());
        assertTrue(parameters.isEmpty());
        assertEquals(List.of(), updates);
    }

    @Test
    void aRunThatEndedAtItsInputWroteNothingAndGetsNothing() {
        last = new RunHistory.LastState("Rejected", new Finalizer.Input(DeployRequest.ended("exec-1", Decision.REJECTED, "input: bad"),
                null, null, null, null, null, null, null, null, null, null, null), null);
        Reconciler.Reconciled result = reconciler(true).reconcile(end("FAILED", "REJECTED", "input: bad"), log());
        assertFalse(result.recorded());
        assertTrue(table.history.isEmpty());
        assertTrue(published.isEmpty());

        last = null;
        assertFalse(reconciler(true).reconcile(end("ABORTED", null, null), log()).recorded(), "stopped before any state");
    }

    @Test
    void reconcilingTwiceRecordsAndNotifiesOnce() {
        DeployRequest request = request();
        services.update("pushdeploy", "web", v2);
        holdLock(request);
        last = new RunHistory.LastState("WaitForRollout", document(request, null, rolledOut(), null), null);

        reconciler(true).reconcile(end("ABORTED", null, null), log());
        Reconciler.Reconciled again = reconciler(true).reconcile(end("ABORTED", null, null), log());

        assertFalse(again.recorded());
        assertEquals(1, table.historyOf(KEY).size());
        assertEquals(1, published.size());
        assertEquals(List.of(v1), updates, "rolled back once");
    }

    /**
     * A rollback is a move to a revision that was live before, not a new revision: one stopped on its way is left
     * going there in both settings. Undoing it would move the service to the revision it was taken off (the one a
     * release or an operator wanted gone) with a second deployment.
     */
    @ParameterizedTest(name = "RollBackStoppedRuns {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void aStoppedRollbackIsNotUndone(boolean rollBack) {
        services.update("pushdeploy", "web", v2);
        DeployRequest undo = request().toBuilder().requestId("manual-rollback").action(Action.ROLLBACK).source("manual")
                .reason("bad release").previousTaskDefinition(v2).targetTaskDefinition(v1).register(false).build();
        holdLock(undo);
        services.update("pushdeploy", "web", v1);
        updates.clear();
        last = new RunHistory.LastState("WaitForRollout", document(undo, null, new Rollout("ecs-svc/2", v1, 1, 2, true, null), null), null);

        Reconciler.Reconciled result = reconciler(rollBack).reconcile(end("ABORTED", null, null), log());

        assertEquals(Outcome.ABORTED, result.outcome());
        assertEquals(List.of(), updates, "no move away from the rollback's target");
        HistoryItem item = table.historyOf(KEY).get(0);
        assertEquals("the execution was stopped in state WaitForRollout, with the service on its way back to web:1 (a rollback; "
                + "it is not undone), not verified", item.reason());
        assertNull(item.rollback());
        assertTrue(table.lock(KEY).isEmpty());
    }

    @Test
    void aStoppedRollbackThatUndidARunCompletesThatRunsRecordOnce() {
        DeployRequest deploy = request();
        services.update("pushdeploy", "web", v2);
        holdLock(deploy);
        new Finalizer(closer()).finish(document(deploy, new Result(Outcome.SUCCEEDED, null), rolledOut(), healthy()), log());
        String deployed = table.historyOf(KEY).get(0).sortKey();
        DeployRequest undo = deploy.toBuilder().requestId("rel-web-rollback").action(Action.ROLLBACK).source("manual")
                .reason("release rel rolled back").previousTaskDefinition(v2).targetTaskDefinition(v1).register(false)
                .undoes(deployed).build();
        table.locks.put(KEY, new LockItem(undo.requestId(), ARN, Action.ROLLBACK, null, null, 1, 1, 1, Long.MAX_VALUE));
        last = new RunHistory.LastState("WaitForRollout", document(undo, null, new Rollout("ecs-svc/2", v1, 1, 2, true, null), null), null);

        Reconciler.Reconciled first = reconciler(false).reconcile(end("ABORTED", null, null), log());
        Reconciler.Reconciled again = reconciler(false).reconcile(end("ABORTED", null, null), log());

        assertTrue(first.recorded());
        assertFalse(again.recorded());
        List<HistoryItem> records = table.historyOf(KEY);
        assertEquals(1, records.size(), "the deployment's record, completed; none of the rollback's own");
        assertEquals(Outcome.ROLLBACK_FAILED, records.get(0).outcome());
        assertEquals("rel-web-rollback", records.get(0).undoneBy());
        assertTrue(records.get(0).rollback().startsWith("rollback to web:1 ended ABORTED (rel-web-rollback)"), records.get(0).rollback());
        assertEquals(List.of(Outcome.SUCCEEDED, Outcome.ROLLBACK_FAILED), published.stream().map(OutcomeNotice::outcome).toList());
        assertTrue(table.lock(KEY).isEmpty());
    }

    /**
     * StartDeployment found its lock held, then the run was stopped and reconciled before its UpdateService
     * landed: the reconciler saw the service on the old revision and recorded it there; the step, finding the
     * lock no longer its own once UpdateService answered, moves the service back so the record stays true.
     */
    @Test
    void aStartDeploymentMoveLandingAfterTheReconcilerIsUndoneByTheStep() {
        DeployRequest request = request();
        holdLock(request);
        last = new RunHistory.LastState("StartDeployment", new Finalizer.Input(request, null, new Release(v2, "web", 2, "repo@2", true),
                null, null, null, null, new LockResult(LockStatus.ACQUIRED, "exec-1", "acquired"), null, null, null, null), null);
        List<Reconciler.Reconciled> reconciled = new ArrayList<>();
        EcsServices landingLate = new EcsServices() {
            @Override
            public Optional<ServiceState> describe(String cluster, String service) {
                return services.describe(cluster, service);
            }

            @Override
            public ServiceState update(String cluster, String service, String taskDefinition, Integer desiredCount) {
                if (reconciled.isEmpty()) {
                    reconciled.add(reconciler(true).reconcile(end("ABORTED", null, null), log()));
                }
                return services.update(cluster, service, taskDefinition, desiredCount);
            }
        };
        DeploymentStarter step = new DeploymentStarter(landingLate, new LockOwnership(table), clock);

        RunInterruptedException cut = assertThrows(RunInterruptedException.class, () -> step.deploy(request, v2, v1, null, true, log()));

        assertEquals(v1, services.taskDefinition(), cut.getMessage());
        assertEquals(List.of(), updates, "the reconciler had nothing to roll back");
        HistoryItem item = table.historyOf(KEY).get(0);
        assertEquals(Outcome.ABORTED, item.outcome());
        assertEquals(v1, item.taskDefinition(), "the record says where the service is");
        assertTrue(item.reason().contains("the service stays on web:1 (StartDeployment was in flight: a move that lands now is undone by the step)"),
                item.reason());
        assertTrue(table.lock(KEY).orElseThrow().closing(), "kept until the step has surely ended");
    }

    /**
     * A run stopped in RotateSecrets keeps its lock (closing) until that step has surely ended. Redriven within that
     * window (RedriveExecution resumes it in RotateSecrets, which refuses, caught into FailedBeforeDeployment, then
     * Finalize), its Finalize answers the reconciler's record, and the reconciler takes the redriven end (FAILED): neither
     * releases the kept lock, nor keeps house with it, so no next run takes it while the first RotateSecrets may still write.
     * (Before, both released it.)
     */
    @Test
    void aRunRedrivenWhileItsLockIsKeptLeavesTheLockKept() {
        DeployRequest request = request();
        holdLock(request);
        last = new RunHistory.LastState("RotateSecrets", document(request, null, null, null), null);
        Instant stopped = clock.instant();
        Instant until = stopped.plus(TIMEOUTS.rotateSecrets()).plus(Reconciler.KEEP_MARGIN);
        reconciler(true).reconcile(end("ABORTED", null, null), log());
        assertTrue(table.lock(KEY).orElseThrow().closing(), "kept, closing");

        clock.advance(Duration.ofSeconds(10));
        Finalizer.Input redriven = new Finalizer.Input(request, new Result(Outcome.FAILED, null), null, null, null, null, null,
                new LockResult(LockStatus.ACQUIRED, "exec-1", "acquired"), null, null,
                new StepError("dev.pushdeploy.error.RunInterruptedException", "the execution was redriven (1)"), null);
        assertEquals(Outcome.ABORTED, new Finalizer(closer()).finish(redriven, log()).outcome(), "answers the record");
        last = new RunHistory.LastState("AbortedFail", redriven, null);
        reconciler(true).reconcile(new Reconciler.ExecutionEnd(ARN, "FAILED", "ABORTED", "redriven", clock.instant()), log());

        LockItem kept = table.lock(KEY).orElseThrow(() -> new AssertionError(
                "the lock kept until " + until + " for RotateSecrets' invocation in flight was released by the redriven execution"));
        assertTrue(kept.closing());
        assertEquals(until.getEpochSecond(), kept.expiresAt());
        DeployRequest next = request().toBuilder().requestId("exec-2").executionArn(ARN + "-2").pushedAt(2L).build();
        LockResult answer = new LockService(table, arn -> Optional.of(stopped), token -> true, clock).acquire(next);
        assertEquals(LockStatus.WAITING, answer.status(), answer.reason());
    }

    @Test
    void theLockOfARunTheReconcilerTookOverIsNoLongerItsStepsToMoveTheServiceWith() {
        DeployRequest request = request();
        holdLock(request);
        assertTrue(new LockOwnership(table).holds(request));
        assertTrue(closer().takeOver(request));
        assertFalse(new LockOwnership(table).holds(request));
        assertTrue(closer().holds(request), "the reconciler still closes it");
        assertFalse(closer().holdsUntakenOver(request), "but a Finalize of the run no longer keeps house with it");
        assertFalse(closer().takeOver(request.toBuilder().requestId("other").build()));
    }

    private Reconciler reconciler(boolean rollBackStoppedRuns) {
        EcsServices ecs = new EcsServices() {
            @Override
            public Optional<ServiceState> describe(String cluster, String service) {
                return services.describe(cluster, service);
            }

            @Override
            public ServiceState update(String cluster, String service, String taskDefinition, Integer desiredCount) {
                updates.add(taskDefinition);
                return services.update(cluster, service, taskDefinition, desiredCount);
            }
        };
        return new Reconciler(arn -> Optional.ofNullable(last).map(s -> preparedWith(s, rollBackStoppedRuns)), closer(),
                new DeploymentStarter(ecs,
                request -> table.lock(KEY).filter(l -> l.holder().equals(request.requestId())).isPresent(), taskDefinitions, clock),
                TIMEOUTS);
    }

    /** {@code state} with its request prepared under the configuration's RollBackStoppedRuns {@code value}. */
    private static RunHistory.LastState preparedWith(RunHistory.LastState state, boolean value) {
        Finalizer.Input d = state.document();
        DeployRequest request = d.request() == null ? null : d.request().toBuilder().rollBackStoppedRuns(value).build();
        return new RunHistory.LastState(state.state(), new Finalizer.Input(request, d.result(), d.release(), d.rollout(), d.check(),
                d.rollback(), d.rollbackCheck(), d.lock(), d.scan(), d.secrets(), d.error(), d.rollbackError()), state.finalizeError());
    }

    private RunCloser closer() {
        return new RunCloser(ConfigSource.of(ConfigParser.parse(SampleStack.configDocument(null))), table, services, taskDefinitions,
                releaseParameters, images, List.of(published::add), clock);
    }

    private DeployRequest request() {
        return DeployRequest.builder()
                .requestId("exec-1").action(Action.DEPLOY).source("ecr")
                .cluster("pushdeploy").service("web").container("app").repository("web")
                .image("repo@sha256:" + "2".repeat(64)).digest("sha256:" + "2".repeat(64)).tag("v2").reason("push").pushedAt(1L)
                .previousTaskDefinition(v1).previousImage("repo@sha256:" + "1".repeat(64))
                .decision(Decision.PROCEED).register(true).deadlineSeconds(600)
                .executionArn(ARN).startedAt(Instant.parse("2025-03-01T12:00:00Z").toEpochMilli())
                .build();
    }

    private Rollout rolledOut() {
        return new Rollout("ecs-svc/1", v2, 1, 2, true, null);
    }

    private static CheckResult healthy() {
        return new CheckResult(Verdict.HEALTHY, "healthy: 2/2", 0, 2, 2, 0);
    }

    private Finalizer.Input document(DeployRequest request, Result result, Rollout rollout, CheckResult check) {
        return new Finalizer.Input(request, result, rollout == null ? null : new Release(rollout.taskDefinition(), "web", 2, "repo@2", true),
                rollout, check, null, null, new LockResult(LockStatus.ACQUIRED, "exec-1", "acquired"), null, null, null, null);
    }

    private void holdLock(DeployRequest request) {
        table.locks.put(KEY, new LockItem(request.requestId(), ARN, Action.DEPLOY, null, null, 1, 1, 1, Long.MAX_VALUE));
    }

    private Reconciler.ExecutionEnd end(String status, String error, String cause) {
        return new Reconciler.ExecutionEnd(ARN, status, error, cause, clock.instant());
    }

    private static StepLog log() {
        return StepLog.to(line -> { }, "Reconcile");
    }
}
