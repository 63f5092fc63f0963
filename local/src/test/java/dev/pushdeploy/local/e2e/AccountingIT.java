package dev.pushdeploy.local.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.lambda.Fault;
import dev.pushdeploy.local.lambda.LambdaRuntime;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.request.ScanGate;
import java.time.Duration;
import dev.pushdeploy.local.run.RunResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ecs.model.StopServiceDeploymentStopType;

/**
 * Issue 8's cases through the real state machine: however a run ends, its lock and waiter are free,
 * it has exactly one history record and one notification, the service is where the record says, and
 * the outcome is the truth.
 */
class AccountingIT {

    /** Case 2: Finalize failing on every attempt; the reconciler records the run's own outcome. */
    @Test
    void finalizeFailingOnEveryAttemptIsStillAccountedFor() {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        for (int attempt = 1; attempt <= workflow.attemptsOnAnError("Finalize"); attempt++) {
            workflow.runtime.lambdas().inject(Fault.crashBefore("FinalizeFunction", attempt));
        }
        RunResult result = workflow.push("v1.1.0", Scenario.HEALTHY);

        assertEquals("FINALIZE_FAILED", result.outcome(), result.reason());
        Map<String, AttributeValue> record = only(workflow.historyOf(name(result)));
        assertEquals("SUCCEEDED", record.get("outcome").s(), "the run verified its revision before Finalize failed");
        assertEquals("reconciler", record.get("recordedBy").s());
        assertTrue(record.get("warnings").l().get(0).s().startsWith("Finalize did not finish (FAILED: java.lang.RuntimeException"),
                record.toString());
        assertFalse(workflow.lockHeld());
        assertEquals(List.of("SUCCEEDED"), workflow.notifiedOutcomes());
        assertEquals(result.image(), workflow.liveImage());
        assertEquals(workflow.liveImage(), workflow.releasedImage(), "the release parameters name what is live");
    }

    /** Cases 2 and 3: a service limit (States.DataLimitExceeded) after UpdateService ran; no Catch can see it. */
    @Test
    void anExecutionFailedByAServiceLimitIsAccountedForAndRolledBack() {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        workflow.runtime.lambdas().inject(Fault.paddedAnswer("StartDeploymentFunction", 1, 300_000));
        RunResult result = workflow.push("v1.1.0", Scenario.HEALTHY);

        assertEquals("States.DataLimitExceeded", result.outcome(), result.reason());
        assertFalse(workflow.entered(result, "Rollback") || workflow.entered(result, "Finalize"), "no Catch ran");
        Map<String, AttributeValue> record = only(workflow.historyOf(name(result)));
        assertEquals("FAILED", record.get("outcome").s());
        assertEquals("States.DataLimitExceeded", record.get("error").s());
        String initial = Revisions.shortName(workflow.web.initialTaskDefinition());
        assertTrue(record.get("reason").s().endsWith("in state StartDeployment, with the service on " + next(initial)
                + ", never verified healthy"), record.get("reason").s());
        assertEquals("rolled back to " + initial + " by the reconciler (RollBackStoppedRuns); not verified", record.get("rollback").s());
        assertEquals(workflow.web.initialTaskDefinition(), workflow.liveTaskDefinition());
        assertEquals(workflow.liveTaskDefinition(), record.get("taskDefinition").s());
        assertFalse(workflow.lockHeld());
        assertEquals(List.of("FAILED"), workflow.notifiedOutcomes());
        assertEquals(workflow.liveImage(), workflow.releasedImage());
    }

    /** Case 3: an event padded far beyond any real one is rejected before anything is written. */
    @Test
    void aPaddedEventIsRejectedBeforeAnyWrite() {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        ObjectNode event = (ObjectNode) Json.tree(workflow.pushEvent("v1.1.0"));
        event.put("padding", "x".repeat(200_000));
        RunResult result = workflow.run(event.toString(), Scenario.HEALTHY);

        assertEquals("REJECTED", result.outcome(), result.reason());
        assertTrue(result.reason().startsWith("input: is 20"), result.reason());
        assertEquals(List.of(), result.writes());
        assertEquals(List.of(), workflow.history());
        assertFalse(workflow.lockHeld());
        assertTrue(workflow.largestStatePayload(result) < 4_096, "the raw input never travels: " + workflow.largestStatePayload(result));
    }

    /** A run that took the lock, held in its first rollout check until {@code checks} is released. */
    private record Checking(LocalRuntime.Run run, LambdaRuntime.Hold checks) {
    }

    private static Checking checking(Workflow workflow, String event, Scenario scenario, String name) throws InterruptedException {
        LambdaRuntime.Hold checks = workflow.holdNext("CheckDeploymentFunction");
        LocalRuntime.Run run = workflow.start(event, scenario, name);
        assertTrue(checks.awaitArrival(Duration.ofMinutes(2)), name + " holds the lock and checks its rollout");
        return new Checking(run, checks);
    }

    /** Case 1: a waiting request whose re-Prepare fails ends through Finalize and frees its place in the queue. */
    @Test
    void aWaiterWhosePrepareFailsEndsThroughFinalizeAndFreesItsPlace() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        Checking firstRun = checking(workflow, workflow.pushEvent("v1.1.0"), Scenario.SLOW_START, "first");
        LambdaRuntime.Hold firstChecks = firstRun.checks();
        LocalRuntime.Run first = firstRun.run();
        int prepared = workflow.runtime.lambdas().invocations("PrepareFunction");
        for (int attempt = 2; attempt <= 1 + workflow.attemptsOnAnError("Prepare"); attempt++) {
            workflow.runtime.lambdas().inject(Fault.crashBefore("PrepareFunction", prepared + attempt));
        }
        LocalRuntime.Run waiting = workflow.start(workflow.pushEvent("v1.2.0"), Scenario.SLOW_START, "second");
        workflow.awaitState("second", "WaitForLock");
        firstChecks.release();
        RunResult second = waiting.await();

        assertEquals("FAILED", second.outcome(), second.reason());
        assertTrue(second.reason().startsWith("java.lang.RuntimeException: injected fault"), second.reason());
        assertFalse(workflow.waiting("second"), "its waiter is gone");
        assertEquals("FAILED", only(workflow.historyOf("second")).get("outcome").s());

        RunResult third = workflow.start(workflow.pushEvent("v1.3.0"), Scenario.HEALTHY, "third").await();
        RunResult firstResult = first.await();
        assertEquals("SUCCEEDED", firstResult.outcome(), firstResult.reason());
        assertEquals("SUCCEEDED", third.outcome(), "the newest image deploys: " + third.reason());
        assertEquals(third.image(), workflow.liveImage());
        assertFalse(workflow.lockHeld());
        assertEquals(3, workflow.history().size());

        String deadRequestsImage = workflow.web.repositoryUri() + "@" + workflow.digestOf("v1.2.0");
        RunResult manual = workflow.run(Json.object().put("action", "deploy").put("service", "pushdeploy/web")
                .put("image", deadRequestsImage).toString(), Scenario.HEALTHY);
        assertEquals("SUCCEEDED", manual.outcome(), "the dead request's digest is not 'already in flight': " + manual.reason());
        assertEquals(deadRequestsImage, workflow.liveImage());
    }

    /** Case 4: "previous" goes to the revision verified live before, never to a rolled-back one, and walks back. */
    @Test
    void rollbackToPreviousWalksBackThroughVerifiedRevisions() {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        String web1 = workflow.web.initialTaskDefinition();
        RunResult good = workflow.push("v1.1.0", Scenario.HEALTHY);
        assertEquals("SUCCEEDED", good.outcome(), good.reason());
        String web2 = good.taskDefinition();
        RunResult bad = workflow.push("v1.2.0", Scenario.CRASH_LOOP);
        assertEquals("ROLLED_BACK", bad.outcome(), bad.reason());
        for (RunResult run : List.of(good, bad)) {
            assertEquals(workflow.budgetedEvents(run), run.history().size(), "HistoryBudgetTest's model of a history");
        }
        String web4 = workflow.redeployByHand(web2);

        RunResult back = workflow.run(rollbackPrevious(), Scenario.HEALTHY);
        assertEquals("SUCCEEDED", back.outcome(), back.reason());
        assertEquals(web2, workflow.liveTaskDefinition(), "web:2 was verified; web:3 was rolled back; web:4 never was verified");
        assertNotEquals(web4, workflow.liveTaskDefinition());

        RunResult again = workflow.run(rollbackPrevious(), Scenario.HEALTHY);
        assertEquals("SUCCEEDED", again.outcome(), again.reason());
        assertEquals(web1, workflow.liveTaskDefinition(), "a second 'previous' walks further back");
    }

    /** Case 5: keep-N by verification, not by number: the good revision survives failed ones. */
    @Test
    void keepNKeepsTheVerifiedRevisionAndDropsFailedOnesFirst() {
        Workflow workflow = new Workflow(TestRuntime.fresh(Map.of("KeepRevisions", "2")));
        String web1 = workflow.web.initialTaskDefinition();
        RunResult first = workflow.push("v1.1.0", Scenario.CRASH_LOOP);
        RunResult second = workflow.push("v1.2.0", Scenario.CRASH_LOOP);
        assertEquals("ROLLED_BACK", first.outcome(), first.reason());
        assertEquals("ROLLED_BACK", second.outcome(), second.reason());

        assertEquals("ACTIVE", workflow.status(web1), "the live, verified revision stays");
        List<String> deregistered = new ArrayList<>();
        workflow.history().forEach(h -> h.getOrDefault("deregistered", AttributeValue.fromL(List.of())).l()
                .forEach(v -> deregistered.add(v.s())));
        assertEquals(List.of(web1.substring(0, web1.lastIndexOf(':') + 1) + (Revisions.revision(web1) + 1)), deregistered,
                "the first failed revision went");
    }

    /** Case 6: ten pushes within one second while a deployment runs: exactly one wins, the last to arrive. */
    @Test
    void tenPushesWithinOneSecondHaveOneWinnerTheLastToArrive() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        Checking runningRun = checking(workflow, workflow.pushEvent("v1.1.0"), Scenario.SLOW_START, "running");
        LambdaRuntime.Hold runningChecks = runningRun.checks();
        LocalRuntime.Run running = runningRun.run();
        List<String> events = new ArrayList<>();
        try (var wallPace = workflow.runtime.holdTime()) {
            for (int i = 0; i < 10; i++) {
                events.add(workflow.pushEvent("v2.0." + i));
            }
        }
        List<LocalRuntime.Run> pushes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            pushes.add(workflow.start(events.get(i), Scenario.HEALTHY, "push-" + i));
        }
        for (int i = 0; i < 10; i++) {
            workflow.awaitState("push-" + i, "LockDecision");
        }
        runningChecks.release();
        List<RunResult> results = new ArrayList<>();
        for (LocalRuntime.Run push : pushes) {
            results.add(push.await());
        }
        assertEquals("SUCCEEDED", running.await().outcome());

        assertTrue(results.stream().map(workflow::pushedAt).distinct().count() < 10,
                "pushes share a second of push time (ECR reports whole seconds): " + results.stream().map(workflow::pushedAt).toList());
        List<RunResult> winners = results.stream().filter(r -> r.outcome().equals("SUCCEEDED")).toList();
        assertEquals(1, winners.size(), results.stream().map(r -> r.outcome() + " " + r.reason()).toList().toString());
        assertEquals(9, results.stream().filter(r -> r.outcome().equals("SUPERSEDED")).count());
        RunResult last = results.stream().max(Comparator.comparingLong((RunResult r) -> workflow.pushedAt(r))
                .thenComparingLong(workflow::arrival)).orElseThrow();
        assertEquals(last, winners.get(0), "the winner arrived last");
        assertEquals(last.image(), workflow.liveImage());
        assertFalse(workflow.lockHeld());
        assertEquals(11, workflow.history().size(), "one record each");
    }

    /**
     * An older push is told to wait, and its wait starts only after a newer push took the freed lock (a slow Lambda start
     * is enough): it must not take the lock after the newer run ends and deploy its older image over the newer one. Its wait
     * ends at once and it is SUPERSEDED while the newer run still deploys.
     */
    @Test
    void anOlderPushWhoseWaitStartsAfterANewerOneTookTheLockIsSuperseded() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        Checking holder = checking(workflow, workflow.pushEvent("v1.1.0"), Scenario.SLOW_START, "holder");
        String olderPush = workflow.pushEvent("v2.0.0");
        String newerPush = workflow.pushEvent("v2.0.1");
        LambdaRuntime.Hold olderWait = workflow.runtime.lambdas().hold("LockFunction", workflow.runtime.lambdas().invocations("LockFunction") + 2);
        LocalRuntime.Run older = workflow.start(olderPush, Scenario.HEALTHY, "older");
        assertTrue(olderWait.awaitArrival(Duration.ofMinutes(2)), "the older push was told to wait; its wait is held");

        holder.checks().release();
        assertEquals("SUCCEEDED", holder.run().await().outcome());
        Checking newer = checking(workflow, newerPush, Scenario.HEALTHY, "newer");
        olderWait.release();
        assertEquals("Superseded", workflow.awaitState("older", "Superseded", "NeedRotation"),
                "the older push learns of the newer holder while it still deploys");
        newer.checks().release();

        RunResult olderResult = older.await();
        RunResult newerResult = newer.run().await();
        assertEquals("SUPERSEDED", olderResult.outcome(), olderResult.reason());
        assertTrue(olderResult.reason().contains("(newer)"), olderResult.reason());
        assertEquals("SUCCEEDED", newerResult.outcome(), newerResult.reason());
        assertEquals(newerResult.image(), workflow.liveImage());
        assertFalse(workflow.lockHeld());
    }

    /**
     * A push whose run starts only after a newer push's whole run ended (its event delivered late, retried or replayed)
     * never meets the newer one in the queue: the service's high-water mark supersedes it, and the newer event delivered
     * again is a digest already live.
     */
    @Test
    void aPushDeliveredOnlyAfterANewerPushsWholeRunIsSupersededAndDeploysNothing() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        String olderPush = workflow.pushEvent("v2.0.0");
        Thread.sleep(1_100);
        String newerPush = workflow.pushEvent("v2.0.1");
        RunResult newer = workflow.run(newerPush, Scenario.HEALTHY);
        assertEquals("SUCCEEDED", newer.outcome(), newer.reason());

        RunResult older = workflow.run(olderPush, Scenario.HEALTHY);
        assertTrue(workflow.pushedAt(older) < workflow.pushedAt(newer), "pushed a second apart: " + workflow.pushedAt(older)
                + " and " + workflow.pushedAt(newer));
        assertEquals("SUPERSEDED", older.outcome(), older.reason());
        String newerId = newer.executionArn().substring(newer.executionArn().lastIndexOf(':') + 1);
        assertTrue(older.reason().contains("(" + newerId + ", ordered at"), older.reason());
        assertFalse(workflow.entered(older, "RegisterTaskDefinition"), "nothing registered for the older image");
        assertEquals(newer.image(), workflow.liveImage());
        assertFalse(workflow.lockHeld());

        RunResult again = workflow.run(newerPush, Scenario.HEALTHY);
        assertEquals("IGNORED", again.outcome(), again.reason());
        assertEquals(newer.image(), workflow.liveImage());
    }

    /**
     * A push that retags an older build after a newer one went live deploys it: ECR keeps the older image's first push
     * time, and the push is placed at its own event's time, after the newer run's mark.
     */
    @Test
    void aRetagBackToAnOlderBuildAfterANewerOneWentLiveDeploysIt() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        RunResult older = workflow.run(workflow.pushEvent("v2.0.0"), Scenario.HEALTHY);
        assertEquals("SUCCEEDED", older.outcome(), older.reason());
        RunResult newer = workflow.run(workflow.pushEvent("v2.0.1"), Scenario.HEALTHY);
        assertEquals("SUCCEEDED", newer.outcome(), newer.reason());

        String olderDigest = older.image().substring(older.image().indexOf('@') + 1);
        RunResult retag = workflow.run(workflow.retagEvent(olderDigest, "v2.0.2"), Scenario.HEALTHY);
        assertEquals("SUCCEEDED", retag.outcome(), retag.reason());
        assertEquals(older.image(), workflow.liveImage());
        assertTrue(workflow.pushedAt(retag) > workflow.pushedAt(newer), "placed at the retag, after the newer push");
    }

    /** Case 7: a change made by hand during the rollout is someone else's deployment, not ECS rolling back. */
    @Test
    void aChangeMadeByHandDuringTheRolloutInterruptsTheRunAndIsLeftAlone() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        AtomicReference<String> byHand = new AtomicReference<>();
        RunResult result = duringTheRollout(workflow, "by-hand", () -> byHand.set(workflow.redeployByHand(workflow.web.initialTaskDefinition())));
        String theirs = byHand.get();

        assertEquals("INTERRUPTED", result.outcome(), result.reason());
        assertTrue(result.reason().contains("the service was moved to " + theirs.substring(theirs.lastIndexOf('/') + 1)), result.reason());
        assertEquals(theirs, workflow.liveTaskDefinition(), "the operator's revision stays");
        assertFalse(workflow.entered(result, "Rollback"), "nothing was rolled back");
        assertEquals("INTERRUPTED", only(workflow.historyOf("by-hand")).get("outcome").s());
        assertEquals(List.of("INTERRUPTED"), workflow.notifiedOutcomes());
        assertFalse(workflow.lockHeld());
    }

    /**
     * Case 7c: a change by hand after the run was prepared and before it moved the service (held at StartDeployment, as
     * a push's run is while it waits for its scan): the run has moved nothing, so it is prepared again from the operator's
     * revision, rotates from there, and its release keeps what they changed. A second change by hand before the move
     * interrupts it, the operator's revision left live.
     */
    @ParameterizedTest(name = "changed by hand {0} time(s)")
    @CsvSource({"1, SUCCEEDED", "2, INTERRUPTED"})
    void aChangeMadeByHandBeforeTheMoveHasTheRunPreparedAgainOnce(int changes, String outcome) throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        LambdaRuntime.Hold start = workflow.holdNext("StartDeploymentFunction");
        LocalRuntime.Run run = workflow.start(workflow.pushEvent("v1.1.0"), Scenario.HEALTHY, "before-the-move");
        List<String> theirs = new ArrayList<>();
        for (int change = 0; change < changes; change++) {
            assertTrue(start.awaitArrival(Duration.ofMinutes(2)), "StartDeployment " + (change + 1) + " reached");
            LambdaRuntime.Hold next = workflow.holdNext("StartDeploymentFunction");
            theirs.add(workflow.redeployByHand(workflow.liveTaskDefinition()));
            start.release();
            start = next;
        }
        start.release();
        RunResult result = run.await();

        assertEquals(outcome, result.outcome(), result.reason());
        assertTrue(workflow.entered(result, "PrepareAgain"), "prepared again after the first change");
        assertEquals(2, workflow.timesEntered(result, "StartDeployment"));
        String last = theirs.get(theirs.size() - 1);
        if (changes == 1) {
            assertEquals(result.image(), workflow.liveImage());
            assertEquals(last, workflow.derivedFrom(workflow.liveTaskDefinition()), "the release builds on the operator's revision");
            assertFalse(workflow.entered(result, "MovedAgain"));
        } else {
            assertEquals(last, workflow.liveTaskDefinition(), "the operator's second revision stays");
            assertTrue(workflow.entered(result, "MovedAgain"));
            assertTrue(result.reason().startsWith("pushdeploy/web runs " + Revisions.shortName(last)), result.reason());
            assertFalse(workflow.entered(result, "Rollback"), "nothing was rolled back");
        }
        assertEquals(outcome, only(workflow.historyOf("before-the-move")).get("outcome").s());
        assertEquals(List.of(outcome), workflow.notifiedOutcomes());
        assertFalse(workflow.lockHeld());
    }

    /**
     * Case 7b: a new deployment of our own revision forced by hand during the rollout (the console's "Force new
     * deployment"): ECS stops our service deployment for the newer one, which carries the same revision on; the run
     * follows it and succeeds, nothing rolled back.
     */
    @Test
    void aNewDeploymentOfOurRevisionForcedByHandCarriesTheRunOn() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        AtomicReference<String> ours = new AtomicReference<>();
        RunResult result = duringTheRollout(workflow, "forced", () -> {
            ours.set(workflow.liveTaskDefinition());
            workflow.forceNewDeploymentByHand();
        });

        assertEquals("SUCCEEDED", result.outcome(), result.reason());
        assertEquals(ours.get(), workflow.liveTaskDefinition());
        assertFalse(workflow.entered(result, "Rollback"), "nothing was rolled back");
        assertEquals("SUCCEEDED", only(workflow.historyOf("forced")).get("outcome").s());
        assertFalse(workflow.lockHeld());
    }

    /**
     * Case 7c: the service scaled to 0 tasks by hand during the rollout, as one stops a bad release at once: the rollout
     * fails at the next check, not at its deadline, and the way back keeps the count, done once nothing runs; the
     * service ends on the revision it started from with no task, and the operator's 0 stays.
     */
    @Test
    void aServiceScaledToZeroDuringTheRolloutIsRolledBackAtZero() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        String before = workflow.liveTaskDefinition();
        RunResult result = duringTheRollout(workflow, "to-zero", () -> workflow.scaleByHand(0));

        assertEquals("ROLLED_BACK", result.outcome(), result.reason());
        assertTrue(result.reason().startsWith("the service was scaled to 0 tasks during the rollout"), result.reason());
        assertEquals(before, workflow.liveTaskDefinition());
        assertEquals(List.of(0, 0), workflow.counts(), "desired and running: the operator's 0 stays");
        assertEquals("ROLLED_BACK", only(workflow.historyOf("to-zero")).get("outcome").s());
        assertFalse(workflow.lockHeld());
    }

    /**
     * Case 7d: the service put back on the revision it ran before by hand during the rollout (the way one undoes a bad
     * release at once): ECS stops our service deployment for the operator's, which is not ECS's rollback. The run ends
     * ROLLED_BACK, the service and the secrets on the revision before, and its reason says who moved it.
     */
    @Test
    void aServicePutBackByHandDuringTheRolloutEndsRolledBackSayingWhoMovedIt() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        String before = workflow.liveTaskDefinition();
        RunResult result = duringTheRollout(workflow, "put-back", () -> workflow.moveByHand(before));

        assertEquals("ROLLED_BACK", result.outcome(), result.reason());
        assertTrue(result.reason().startsWith("the service was moved back to " + Revisions.shortName(before) + " by deployment "),
                result.reason());
        assertTrue(result.reason().contains("not by ECS's rollback"), result.reason());
        assertEquals(before, workflow.liveTaskDefinition());
        assertEquals("ROLLED_BACK", only(workflow.historyOf("put-back")).get("outcome").s());
        assertFalse(workflow.lockHeld());
    }

    /**
     * Case 7e: the configuration document rewritten during the rollout, into a document that does not parse (a hand edit
     * gone wrong) or one without the service's target (a stack update that dropped it): the run is judged and closed by
     * the version it was prepared with, its smoke check and alarms included, and no step fails on the change. Before, the
     * broken document failed the rollout's check, the healthy release was rolled back and recorded ROLLBACK_FAILED, and
     * the dropped target's run passed without its smoke check and alarms.
     */
    @ParameterizedTest
    @CsvSource({"broken, slow-start, SUCCEEDED", "broken, crash-loop, ROLLED_BACK", "untargeted, slow-start, SUCCEEDED"})
    void aConfigurationRewrittenDuringTheRolloutLeavesTheRunToTheOneItWasPreparedWith(String change, String scenario,
                                                                                      String outcome) throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        String before = workflow.liveTaskDefinition();
        RunResult result = workflow.duringTheRollout("config-" + change, Scenario.fromCliName(scenario),
                () -> workflow.changeConfigurationByHand(change));

        assertEquals(outcome, result.outcome(), result.reason());
        assertEquals(List.of(), Workflow.failedInvocations(result), "no step failed on the rewritten document");
        if (outcome.equals("SUCCEEDED")) {
            assertTrue(result.reason().contains("alarm(s) not in ALARM, smoke check: GET "), "judged by the prepared health: " + result.reason());
            assertNotEquals(before, workflow.liveTaskDefinition());
        } else {
            assertEquals(before, workflow.liveTaskDefinition());
        }
        assertEquals(outcome, only(workflow.historyOf("config-" + change)).get("outcome").s());
        assertEquals(List.of(outcome), workflow.notifiedOutcomes());
        assertFalse(workflow.lockHeld());
    }

    /**
     * Case 7e, deleted: the configuration parameter deleted during the rollout, every version with it, so the version the
     * run was prepared with is gone too. Nothing can judge the rollout (its smoke check and alarms are in the document),
     * so it goes back, and nothing can verify the way back: ROLLBACK_FAILED naming the parameter, and still accounted
     * for: recorded, announced, its lock released, what its end could not do (the release parameters, the keep tags) a
     * warning on the record. Before, Finalize failed on the document too, and so did the reconciler after it: no record,
     * no notice (FINALIZE_FAILED), the lock left to lapse.
     */
    @Test
    void aConfigurationDeletedDuringTheRolloutStillEndsTheRunAccountedFor() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        RunResult result = workflow.duringTheRollout("config-deleted", Scenario.SLOW_START,
                () -> workflow.changeConfigurationByHand("deleted"));

        String gone = "configuration parameter " + workflow.runtime.stack().configParameter() + " does not exist";
        assertEquals("ROLLBACK_FAILED", result.outcome(), result.reason());
        assertTrue(result.reason().startsWith("rollback failed: dev.pushdeploy.error.ConfigurationException: " + gone), result.reason());
        var record = only(workflow.historyOf("config-deleted"));
        assertEquals("ROLLBACK_FAILED", record.get("outcome").s());
        assertTrue(record.get("warnings").l().stream().anyMatch(w -> w.s().contains(gone)), record.toString());
        assertEquals(List.of("ROLLBACK_FAILED"), workflow.notifiedOutcomes());
        assertFalse(workflow.lockHeld());
    }

    /**
     * Case 7f: one of the deployment alarms deleted during the rollout (CloudWatch's DeleteAlarms, as an operator runs it):
     * Prepare found them all, the checks no longer can; the run goes on by the others and its reason names the one not
     * judged, instead of counting the alarms that are left as if they were all.
     */
    @Test
    void aDeploymentAlarmDeletedDuringTheRolloutIsNamedAsNotJudged() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        List<String> alarms = workflow.web.target().health().alarms();
        RunResult result = duringTheRollout(workflow, "alarm-gone", () -> workflow.cloudWatch().deleteAlarms(r -> r.alarmNames(alarms.get(1))));

        assertEquals("SUCCEEDED", result.outcome(), result.reason());
        assertTrue(result.reason().contains(", 1 alarm(s) not in ALARM, alarm(s) " + alarms.get(1) + " no longer exist (not judged)"),
                result.reason());
        assertEquals("SUCCEEDED", only(workflow.historyOf("alarm-gone")).get("outcome").s());
        assertFalse(workflow.lockHeld());
    }

    /**
     * Case 7g: the service deleted during the rollout (DeleteService with force, as an operator runs it): nothing is left
     * to judge or to roll back, so the run ends INTERRUPTED saying so, accounted for like any other. Before, its check
     * failed on the missing service, the way back failed the same way, and the run was recorded ROLLBACK_FAILED.
     */
    @Test
    void aServiceDeletedDuringTheRolloutInterruptsTheRun() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        RunResult result = duringTheRollout(workflow, "deleted", workflow::deleteByHand);

        assertEquals("INTERRUPTED", result.outcome(), result.reason());
        assertTrue(result.reason().contains("pushdeploy/web no longer exists or is not ACTIVE (deleted, or being deleted, by someone else"),
                result.reason());
        assertFalse(workflow.entered(result, "Rollback"), "nothing was rolled back");
        assertEquals(List.of(), Workflow.failedInvocations(result), "judged by the check, no step failed");
        assertEquals("INTERRUPTED", only(workflow.historyOf("deleted")).get("outcome").s());
        assertEquals(List.of("INTERRUPTED"), workflow.notifiedOutcomes());
        assertFalse(workflow.lockHeld());
    }

    /**
     * Case 7h: the rollout's service deployment stopped by hand with ECS's rollback (StopServiceDeployment, stop type
     * ROLLBACK, as the console's "Stop deployment" sends it): ECS takes the service back, and the run follows it to
     * ROLLED_BACK, the old revision verified, saying ECS rolled it back, accounted for once.
     */
    @Test
    void aServiceDeploymentStoppedByHandWithEcsRollbackEndsRolledBack() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        String before = workflow.liveTaskDefinition();
        RunResult result = duringTheRollout(workflow, "stopped", () -> workflow.ecs().stopServiceDeployment(r -> r
                .serviceDeploymentArn(workflow.service().currentServiceDeployment()).stopType(StopServiceDeploymentStopType.ROLLBACK)));

        assertEquals("ROLLED_BACK", result.outcome(), result.reason());
        assertTrue(result.reason().startsWith("ECS rolled the rolling deployment of ") && result.reason().contains(" back (ROLLBACK_"),
                result.reason());
        assertEquals(before, workflow.liveTaskDefinition());
        assertEquals(List.of(), Workflow.failedInvocations(result));
        assertEquals("ROLLED_BACK", only(workflow.historyOf("stopped")).get("outcome").s());
        assertEquals(List.of("ROLLED_BACK"), workflow.notifiedOutcomes());
        assertFalse(workflow.lockHeld());
    }

    /** A slow push named {@code name} whose first rollout check waits until {@code byHand} was done; how it ended. */
    private static RunResult duringTheRollout(Workflow workflow, String name, Runnable byHand) throws Exception {
        return workflow.duringTheRollout(name, Scenario.SLOW_START, byHand);
    }

    /** Case 8: a scan that never completes ends the run by its deadline, through Finalize. */
    @Test
    void aScanThatNeverCompletesEndsFailedByItsDeadline() {
        Workflow workflow = new Workflow(TestRuntime.fresh("HIGH"));
        RunResult result = workflow.run(workflow.unscannedDeploy("v1.1.1"), Scenario.HEALTHY);

        assertEquals("FAILED", result.outcome(), result.reason());
        assertTrue(result.reason().startsWith("no scan result for sha256:") && result.reason().contains(" within " + ScanGate.DEFAULT_DEADLINE_SECONDS + " s"), result.reason());
        assertEquals("FAILED", only(workflow.history()).get("outcome").s());
        assertEquals(List.of("FAILED"), workflow.notifiedOutcomes());
        assertFalse(workflow.lockHeld());
        assertEquals(workflow.web.initialTaskDefinition(), workflow.liveTaskDefinition());
        assertTrue(result.history().size() < 1000, "bounded: " + result.history().size() + " events");
        assertEquals(workflow.budgetedEvents(result), result.history().size(), "HistoryBudgetTest's model of a history");
    }

    /** Case 9: a deployment that never started is FAILED, not ROLLED_BACK. */
    @Test
    void aStartDeploymentThatFailedBeforeDoingAnythingEndsFailed() {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        for (int attempt = 1; attempt <= workflow.attemptsOnAnError("StartDeployment"); attempt++) {
            workflow.runtime.lambdas().inject(Fault.crashBefore("StartDeploymentFunction", attempt));
        }
        RunResult result = workflow.push("v1.1.0", Scenario.HEALTHY);

        assertEquals("FAILED", result.outcome(), result.reason());
        assertTrue(result.reason().startsWith("java.lang.RuntimeException: injected fault: invocation "), result.reason());
        assertEquals(workflow.web.initialTaskDefinition(), workflow.liveTaskDefinition());
        assertEquals(List.of(), workflow.runtime.simulator().deploymentStarts());
        assertEquals("FAILED", only(workflow.history()).get("outcome").s());
        assertEquals(List.of("FAILED"), workflow.notifiedOutcomes());
    }

    /** Case 9: when a step errors after our revision reached the service, the original error and the rollback's result stay apart. */
    @Test
    void aStepErrorAfterTheDeploymentIsReportedApartFromTheRollback() {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        for (int attempt = 1; attempt <= workflow.attemptsOnAnError("CheckDeployment"); attempt++) {
            workflow.runtime.lambdas().inject(Fault.crashBefore("CheckDeploymentFunction", attempt));
        }
        RunResult result = workflow.push("v1.1.0", Scenario.HEALTHY);

        assertEquals("ROLLED_BACK", result.outcome(), result.reason());
        Map<String, AttributeValue> record = only(workflow.history());
        assertTrue(record.get("reason").s().startsWith("java.lang.RuntimeException: injected fault: invocation "), record.toString());
        assertEquals("java.lang.RuntimeException", record.get("error").s());
        assertTrue(record.get("rollback").s().startsWith("back on " + Revisions.shortName(workflow.web.initialTaskDefinition())
                + ", healthy: "), record.toString());
        JsonNode notice = workflow.notices().get(0);
        assertEquals(record.get("reason").s(), notice.path("reason").asText());
        assertEquals(record.get("rollback").s(), notice.path("rollback").asText());
        assertEquals(workflow.web.initialTaskDefinition(), workflow.liveTaskDefinition());
        assertEquals(workflow.budgetedEvents(result), result.history().size(), "HistoryBudgetTest's model, retries included");
    }

    /** Case 10: strict input, with nothing written. */
    @Test
    void inputFromElsewhereOrWithDuplicateKeysIsRejectedBeforeAnyWrite() {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        String foreign = workflow.pushEvent("v1.1.0").replace("\"123456789012\"", "\"999999999999\"");
        String twice = "{\"action\":\"rotate\",\"action\":\"deploy\",\"image\":\"web:v1.1.0\"}";
        String otherRegion = "{\"action\":\"rollback\",\"service\":\"pushdeploy/web\",\"to\":\""
                + workflow.web.initialTaskDefinition().replace("us-east-1", "eu-west-1") + "\"}";
        for (String input : List.of(foreign, twice, otherRegion)) {
            RunResult result = workflow.run(input, Scenario.HEALTHY);
            assertEquals("REJECTED", result.outcome(), input);
            assertEquals(List.of(), result.writes(), input);
        }
        assertEquals(List.of(), workflow.history());
        assertEquals(List.of(), workflow.notifiedOutcomes());
        assertEquals(workflow.web.initialTaskDefinition(), workflow.liveTaskDefinition());
    }

    /** The largest legal manual input, on the longest path: every state document stays far below 256 KiB. */
    @Test
    void theLargestLegalInputStaysFarBelowTheStatePayloadQuota() {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        workflow.pushEvent("v1.1.0");
        String digest = workflow.digestOf("v1.1.0");
        String reason = "é".repeat(512);
        String input = Json.object().put("action", "deploy").put("service", "pushdeploy/web")
                .put("image", workflow.web.repositoryUri() + "@" + digest).put("reason", reason).toString();
        RunResult result = workflow.run(input, Scenario.CRASH_LOOP);

        assertEquals("ROLLED_BACK", result.outcome(), result.reason());
        assertEquals(1024, reason.getBytes(StandardCharsets.UTF_8).length);
        int largest = workflow.largestStatePayload(result);
        assertTrue(largest < 32 * 1024, "largest state document: " + largest + " bytes");
        assertNull(Json.tree(input).get("padding"));
    }

    private static String rollbackPrevious() {
        return "{\"action\":\"rollback\",\"service\":\"pushdeploy/web\",\"to\":\"previous\"}";
    }

    private static String name(RunResult result) {
        return result.executionArn().substring(result.executionArn().lastIndexOf(':') + 1);
    }

    private static Map<String, AttributeValue> only(List<Map<String, AttributeValue>> records) {
        assertEquals(1, records.size(), "exactly one history record: " + records);
        return records.get(0);
    }

    /** The short name of the revision registered after {@code shortName} ({@code web:2} after {@code web:1}). */
    private static String next(String shortName) {
        int colon = shortName.lastIndexOf(':');
        return shortName.substring(0, colon + 1) + (Integer.parseInt(shortName.substring(colon + 1)) + 1);
    }
}
