package dev.pushdeploy.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.ReleasePlan;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A release that ended without its Record state: its record and notification once, the services it moved back when asked. */
class ReleaseCloserTest {
    static final String RELEASE_ARN = "arn:aws:states:us-east-1:123456789012:execution:pushdeploy-release:shop-1";
    static final String V1 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1";
    static final ReleasePlan PLAN = new ReleasePlan("shop-1", "release shop-1: together", "release shop-1 rolled back: together",
            List.of(new ReleasePlan.Entry("pushdeploy/web", "web@sha256:" + "1".repeat(64), "shop-1-web", "shop-1-web-rollback")), true);

    static final ReleaseRuns.Summary SUMMARY = new ReleaseRuns.Summary("SUCCEEDED", "release shop-1: together", List.of(
            new ReleaseRecord.ServiceEnd("pushdeploy/web", "web@sha256:" + "1".repeat(64), "shop-1-web", "SUCCEEDED", "LIVE", null, null, V1)), false);

    private final InMemoryLedger table = new InMemoryLedger();
    private final FakeRuns runs = new FakeRuns();
    private final List<ReleaseRecord.Notice> published = new ArrayList<>();
    private final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T12:30:00Z"));

    /** The deployment workflow's executions by name, and the rollbacks started. */
    static final class FakeRuns implements ReleaseRuns {
        Optional<ReleasePlan> plan = Optional.of(PLAN);
        boolean notified = true;
        Optional<Summary> summary = Optional.empty();
        Optional<Summary> verdict = Optional.empty();
        final Map<String, Run> runs = new HashMap<>();
        final Map<String, Rollback> started = new HashMap<>();

        @Override
        public Optional<ReleasePlan> plan(String releaseExecutionArn) {
            assertEquals(RELEASE_ARN, releaseExecutionArn);
            return plan;
        }

        @Override
        public boolean notified(String releaseExecutionArn) {
            assertEquals(RELEASE_ARN, releaseExecutionArn);
            return notified;
        }

        @Override
        public Optional<Summary> summary(String releaseExecutionArn) {
            assertEquals(RELEASE_ARN, releaseExecutionArn);
            return summary;
        }

        @Override
        public Optional<Summary> verdict(String releaseExecutionArn) {
            assertEquals(RELEASE_ARN, releaseExecutionArn);
            return verdict;
        }

        @Override
        public Optional<Run> run(String name) {
            return Optional.ofNullable(runs.get(name));
        }

        @Override
        public boolean startRollback(String name, Rollback rollback) {
            if (runs.containsKey(name)) {
                return false;
            }
            runs.put(name, new Run("RUNNING", null, null, null));
            started.put(name, rollback);
            return true;
        }
    }

    /** A rollback run is STATUS[:ERROR[:DECISION:LIVE]]: LIVE the revision it found live (V2: a later one than its target). */
    @ParameterizedTest(name = "{0} {1} {2} prev={3} rollBack={4} rollback run={5}: {6} {7} {8}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            // status | error       | decision | previous | rollBack | rollback run | deployment  | state        | rollback
            "-         | -           | -        | -        | true     | -            | NOT_STARTED | UNCHANGED    | -",
            "RUNNING   | -           | -        | -        | true     | -            | RUNNING     | UNVERIFIED   | -",
            "ABORTED   | -           | -        | -        | true     | -            | ABORTED     | UNVERIFIED   | -",
            "TIMED_OUT | -           | -        | -        | true     | -            | TIMED_OUT   | UNVERIFIED   | -",
            "FAILED    | ROLLED_BACK | -        | -        | true     | -            | ROLLED_BACK | BACK         | -",
            "FAILED    | REJECTED    | -        | -        | true     | -            | REJECTED    | BACK         | -",
            "FAILED    | INTERRUPTED | -        | -        | true     | -            | INTERRUPTED | UNVERIFIED   | -",
            "FAILED    | SUPERSEDED  | -        | -        | true     | -            | SUPERSEDED  | SUPERSEDED   | -",
            "SUCCEEDED | -           | IGNORED  | -        | true     | -            | IGNORED     | UNCHANGED    | -",
            "SUCCEEDED | -           | PROCEED  | V1       | true     | -            | SUCCEEDED   | ROLLING_BACK | STARTED",
            "SUCCEEDED | -           | PROCEED  | V1       | false    | -            | SUCCEEDED   | LIVE         | NOT_STARTED (RollBackStoppedRuns is off)",
            "SUCCEEDED | -           | PROCEED  | -        | true     | -            | SUCCEEDED   | LIVE         | NO_EARLIER_REVISION",
            "SUCCEEDED | -           | PROCEED  | V1       | true     | RUNNING      | SUCCEEDED   | ROLLING_BACK | STARTED",
            "SUCCEEDED | -           | PROCEED  | V1       | true     | SUCCEEDED    | SUCCEEDED   | ROLLED_BACK  | SUCCEEDED",
            "SUCCEEDED | -           | PROCEED  | V1       | true     | SUCCEEDED::IGNORED:V1 | SUCCEEDED | ROLLED_BACK | SUCCEEDED",
            "SUCCEEDED | -           | PROCEED  | V1       | true     | SUCCEEDED::IGNORED:V2 | SUCCEEDED | SUPERSEDED  | IGNORED",
            "SUCCEEDED | -           | PROCEED  | V1       | true     | ABORTED      | SUCCEEDED   | UNVERIFIED   | ABORTED",
            "SUCCEEDED | -           | PROCEED  | V1       | true     | FAILED:REJECTED    | SUCCEEDED | LIVE       | REJECTED",
            "SUCCEEDED | -           | PROCEED  | V1       | true     | FAILED:ROLLED_BACK | SUCCEEDED | LIVE       | ROLLED_BACK",
            "SUCCEEDED | -           | PROCEED  | V1       | true     | FAILED:FAILED      | SUCCEEDED | UNVERIFIED | FAILED",
            "SUCCEEDED | -           | PROCEED  | V1       | true     | FAILED             | SUCCEEDED | UNVERIFIED | FAILED"})
    void eachServiceIsRecordedAsItsDeploymentLeftIt(String status, String error, Decision decision, String previous, boolean rollBack,
            String rollbackRun, String deployment, String state, String rollback) {
        if (status != null) {
            runs.runs.put("shop-1-web", new ReleaseRuns.Run(status, error, decision, "V1".equals(previous) ? V1 : null));
        }
        if (rollbackRun != null) {
            runs.runs.put("shop-1-web-rollback", rollbackRun(rollbackRun));
        }

        ReleaseCloser.Closed closed = closer(rollBack).close(end("ABORTED", null, "the wrong images"), "shop-1", log());

        ReleaseRecord.ServiceEnd web = closed.record().orElseThrow().services().get(0);
        assertEquals(List.of(deployment, state), List.of(web.deployment(), web.state()), web.toString());
        assertEquals(rollback, web.rollback());
        if ("SUPERSEDED".equals(state)) {
            assertTrue(closed.record().orElseThrow().cause().endsWith("; left to a later request for the service, before the release"
                    + " moved it or after: pushdeploy/web"), closed.record().orElseThrow().cause());
        }
        boolean moved = "SUCCEEDED".equals(deployment) && "V1".equals(previous);
        assertEquals(moved ? V1 : null, web.rollbackTo(), "the revision it goes back to");
        boolean starts = moved && rollBack && rollbackRun == null;
        assertEquals(starts ? Map.of("shop-1-web-rollback", new ReleaseRuns.Rollback("pushdeploy/web", V1,
                "release shop-1 rolled back: together", "shop-1-web")) : Map.of(), runs.started);
        assertEquals(List.of("pushdeploy/web", "web@sha256:" + "1".repeat(64), "shop-1-web"), List.of(web.service(), web.image(), web.execution()));
    }

    /** A rollback run written STATUS[:ERROR[:DECISION:LIVE]], LIVE V1 or V2 (the revision it found live). */
    private static ReleaseRuns.Run rollbackRun(String written) {
        String[] run = (written + ":::").split(":", -1);
        return new ReleaseRuns.Run(run[0], run[1].isEmpty() ? null : run[1], run[2].isEmpty() ? null : Decision.valueOf(run[2]),
                run[3].isEmpty() ? null : V1.replace("web:1", "web:" + run[3].substring(1)));
    }

    /** The record keeps ROLLING_BACK; read later, the entry says how far its rollback run got (LIVE as above). */
    @ParameterizedTest(name = "rollback run {0}: {1} {2}")
    @CsvSource(delimiter = '|', value = {
            "RUNNING               | ROLLING_BACK | STARTED",
            "SUCCEEDED             | ROLLED_BACK  | SUCCEEDED",
            "SUCCEEDED::IGNORED:V1 | ROLLED_BACK  | SUCCEEDED",
            "SUCCEEDED::IGNORED:V2 | SUPERSEDED   | IGNORED",
            "FAILED:REJECTED       | LIVE         | REJECTED",
            "FAILED:ROLLED_BACK    | LIVE         | ROLLED_BACK",
            "FAILED:FAILED         | UNVERIFIED   | FAILED",
            "ABORTED               | UNVERIFIED   | ABORTED",
            "TIMED_OUT             | UNVERIFIED   | TIMED_OUT"})
    void aServiceRecordedRollingBackIsReadAsItsRollbackEnded(String rollbackRun, String state, String rollback) {
        runs.runs.put("shop-1-web", new ReleaseRuns.Run("SUCCEEDED", null, Decision.PROCEED, V1));
        ReleaseRecord.ServiceEnd recorded = closer(true).close(end("ABORTED", null, "the wrong images"), "shop-1", log())
                .record().orElseThrow().services().get(0);
        assertEquals(List.of("ROLLING_BACK", "STARTED"), List.of(recorded.state(), recorded.rollback()));
        runs.runs.put("shop-1-web-rollback", rollbackRun(rollbackRun));

        ReleaseRecord.ServiceEnd now = ReleaseCloser.settled(recorded, runs);

        assertEquals(new ReleaseRecord.ServiceEnd("pushdeploy/web", recorded.image(), "shop-1-web", "SUCCEEDED", state, rollback,
                "shop-1-web-rollback", V1), now);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"LIVE", "UNVERIFIED", "ROLLED_BACK", "SUPERSEDED", "BACK"})
    void aServiceRecordedAtItsEndIsReadAsRecorded(String state) {
        runs.runs.put("shop-1-web-rollback", new ReleaseRuns.Run("RUNNING", null, null, null));
        ReleaseRecord.ServiceEnd recorded = new ReleaseRecord.ServiceEnd("pushdeploy/web", "web@sha256:" + "1".repeat(64), "shop-1-web",
                "SUCCEEDED", state, "SUCCEEDED", "shop-1-web-rollback", V1);

        assertEquals(recorded, ReleaseCloser.settled(recorded, runs));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "ABORTED   | -                      | stop by hand | ABORTED   | the release was stopped (stop by hand)",
            "TIMED_OUT | -                      | -            | TIMED_OUT | the release ran into its state machine's time limit",
            "FAILED    | States.DataLimitExceeded | too big    | FAILED    | the release failed with States.DataLimitExceeded (too big)",
            "FAILED    | -                      | -            | FAILED    | the release failed"})
    void aReleaseCutOffIsRecordedAndAnnouncedOnce(String status, String error, String cause, String outcome, String how) {
        runs.runs.put("shop-1-web", new ReleaseRuns.Run("SUCCEEDED", null, Decision.PROCEED, V1));

        ReleaseCloser.Closed closed = closer(true).close(end(status, error, cause), "shop-1", log());

        ReleaseRecord record = table.releases.get("shop-1");
        assertTrue(closed.recorded());
        assertTrue(closed.announced());
        assertEquals(List.of(outcome, "release shop-1: together", RELEASE_ARN, "reconciler", "2025-03-01T12:30:00.000Z"),
                List.of(record.outcome(), record.reason(), record.execution(), record.recordedBy(), record.recordedAt()));
        assertEquals(how + "; going back to the revision live before (RollBackStoppedRuns): pushdeploy/web", record.cause());
        assertTrue(record.published());
        assertEquals(List.of(record.notice()), published);
        assertEquals("pushdeploy release shop-1: " + outcome, published.get(0).subject());

        ReleaseCloser.Closed again = closer(true).close(end(status, error, cause), "shop-1", log());

        assertFalse(again.recorded());
        assertFalse(again.announced());
        assertEquals(1, published.size());
        assertEquals(1, runs.started.size(), "one rollback");
        assertEquals(record, table.releases.get("shop-1"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {"SUCCEEDED | -", "FAILED | ROLLED_BACK", "FAILED | FAILED", "FAILED | REJECTED",
            "RUNNING | -"})
    void aReleaseThatEndedThroughItsOwnRecordStateIsLeftToIt(String status, String error) {
        runs.runs.put("shop-1-web", new ReleaseRuns.Run("SUCCEEDED", null, Decision.PROCEED, V1));
        runs.summary = Optional.of(SUMMARY);
        boolean writes = !"RUNNING".equals(status) && !"REJECTED".equals(error);
        ReleaseRecord own = new ReleaseRecord("shop-1", error == null ? status : error, "release shop-1: together", null,
                SUMMARY.services(), RELEASE_ARN, "2025-03-01T12:29:00Z", null, false);
        if (writes) {
            table.putRelease(own);
        }

        ReleaseCloser.Closed closed = closer(true).close(end(status, error, null), "shop-1", log());

        assertFalse(closed.recorded());
        assertEquals(writes ? Map.of("shop-1", own) : Map.of(), table.releases);
        assertTrue(published.isEmpty());
        assertTrue(runs.started.isEmpty());
    }

    /**
     * The workflow's Record state failed every attempt (DynamoDB unavailable) and the workflow went on to its Notify state and
     * its end: the record is written from the summary it ended with, once, announced only when Notify's publish failed too.
     */
    @ParameterizedTest(name = "{0} {1}, Notify failed {2}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "SUCCEEDED | -           | false", "SUCCEEDED | -           | true",
            "FAILED    | ROLLED_BACK | false", "FAILED    | FAILED      | true"})
    void aReleaseWhoseRecordStateFailedIsRecordedFromItsSummaryOnce(String status, String error, boolean notifyFailed) {
        String outcome = error == null ? status : error;
        runs.summary = Optional.of(new ReleaseRuns.Summary(outcome, SUMMARY.reason(), SUMMARY.services(), notifyFailed));

        ReleaseCloser.Closed closed = closer(true).close(end(status, error, "{\"outcome\":\"" + outcome + "\"}"), "shop-1", log());
        ReleaseCloser.Closed again = closer(true).close(end(status, error, null), "shop-1", log());

        ReleaseRecord record = table.releases.get("shop-1");
        assertEquals(List.of(outcome, "release shop-1: together", RELEASE_ARN, "reconciler"),
                List.of(record.outcome(), record.reason(), record.execution(), record.recordedBy()));
        assertEquals(SUMMARY.services(), record.services());
        assertTrue(record.cause().startsWith("the release's Record state did not write its record"), record.cause());
        assertTrue(closed.recorded());
        assertFalse(again.recorded());
        assertEquals(notifyFailed, closed.announced());
        assertFalse(again.announced());
        assertEquals(notifyFailed ? List.of(record.notice()) : List.of(), published, "one notification in all");
        assertTrue(record.published());
        assertTrue(runs.started.isEmpty(), "nothing of the release is undone: it ended as it says");
    }

    /**
     * The workflow wrote its record but its Notify state's publish failed every attempt (SNS unavailable): the reconciler sends
     * the notification of the record as the workflow wrote it, once.
     */
    @Test
    void aReleaseWhoseNotifyStateFailedIsAnnouncedByTheReconcilerOnce() {
        ReleaseRecord own = new ReleaseRecord("shop-1", "SUCCEEDED", "release shop-1: together", null, SUMMARY.services(), RELEASE_ARN,
                "2025-03-01T12:29:00Z", null, false);
        table.putRelease(own);
        runs.summary = Optional.of(new ReleaseRuns.Summary("SUCCEEDED", SUMMARY.reason(), SUMMARY.services(), true));

        ReleaseCloser.Closed closed = closer(true).close(end("SUCCEEDED", null, null), "shop-1", log());
        ReleaseCloser.Closed again = closer(true).close(end("SUCCEEDED", null, null), "shop-1", log());

        assertFalse(closed.recorded());
        assertTrue(closed.announced());
        assertFalse(again.announced());
        assertEquals(List.of(own.notice()), published);
        assertEquals("SUCCEEDED", table.releases.get("shop-1").outcome(), "the workflow's record stands");
        assertTrue(table.releases.get("shop-1").published());
    }

    /**
     * A release cut off after its outcome was decided, on its way through its Record state (failing, or its write in flight)
     * or its Notify state, is recorded as decided, from the summary it had reached; nothing of it is undone, whatever
     * RollBackStoppedRuns says (as a run stopped after its verdict is finished as decided); it is announced unless its Notify
     * state had sent the notification. Before, it was recorded ABORTED from its plan and every service it had released went
     * back, where the same stop a moment later (the record written) left the release as it had ended.
     */
    @ParameterizedTest(name = "{0} {1} after {2}, notification sent {3}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "ABORTED   | -             | SUCCEEDED   | false | the release was stopped (the wrong images)",
            "ABORTED   | -             | ROLLED_BACK | false | the release was stopped (the wrong images)",
            "ABORTED   | -             | SUCCEEDED   | true  | the release was stopped (the wrong images)",
            "TIMED_OUT | -             | SUCCEEDED   | false | the release ran into its state machine's time limit",
            "FAILED    | States.Runtime | FAILED     | false | the release failed with States.Runtime (the wrong images)"})
    void aReleaseCutOffAfterItsOutcomeWasDecidedIsRecordedAsDecided(String status, String error, String outcome, boolean sent, String how) {
        runs.runs.put("shop-1-web", new ReleaseRuns.Run("SUCCEEDED", null, Decision.PROCEED, V1));
        runs.verdict = Optional.of(new ReleaseRuns.Summary(outcome, SUMMARY.reason(), SUMMARY.services(), !sent));

        ReleaseCloser.Closed closed = closer(true).close(end(status, error, "the wrong images"), "shop-1", log());
        ReleaseCloser.Closed again = closer(true).close(end(status, error, "the wrong images"), "shop-1", log());

        ReleaseRecord record = table.releases.get("shop-1");
        assertEquals(List.of(outcome, "release shop-1: together", "reconciler", how + ReleaseCloser.VERDICT_REACHED),
                List.of(record.outcome(), record.reason(), record.recordedBy(), record.cause()));
        assertEquals(SUMMARY.services(), record.services(), "each service as the release left it");
        assertTrue(runs.started.isEmpty(), "nothing undone: " + runs.started);
        assertTrue(closed.recorded());
        assertFalse(again.recorded());
        assertEquals(sent ? List.of() : List.of(record.notice()), published, "announced once, unless Notify had");
        assertTrue(record.published());
    }

    /** Without a summary (an execution that is not what the workflow ends as), nothing is made up. */
    @Test
    void aReleaseWithoutRecordOrSummaryIsLeftAsItIs() {
        ReleaseCloser.Closed closed = closer(true).close(end("SUCCEEDED", null, null), "shop-1", log());

        assertFalse(closed.recorded());
        assertTrue(table.releases.isEmpty());
        assertTrue(published.isEmpty());
    }

    @Test
    void aReleaseStoppedBeforeItsPlanStartedNothing() {
        runs.plan = Optional.empty();

        closer(true).close(end("ABORTED", null, null), "shop-1", log());

        ReleaseRecord record = table.releases.get("shop-1");
        assertEquals(List.of(), record.services());
        assertEquals("release shop-1", record.reason());
        assertEquals("the release was stopped before its plan was made: no deployment was started", record.cause());
        assertEquals(1, published.size());
    }

    @Test
    void aNotificationThatFailedIsSentByTheNextAttempt() {
        runs.runs.put("shop-1-web", new ReleaseRuns.Run("ABORTED", null, null, null));
        ReleaseCloser failing = new ReleaseCloser(runs, table, notice -> {
            throw new IllegalStateException("sns down");
        }, clock);

        assertThrows(IllegalStateException.class, () -> failing.close(end("ABORTED", null, null), "shop-1", log()));
        assertFalse(table.releases.get("shop-1").published(), "the claim given back");

        ReleaseCloser.Closed retried = closer(true).close(end("ABORTED", null, null), "shop-1", log());

        assertTrue(retried.announced());
        assertEquals(1, published.size());
    }

    @Test
    void aRecordTheWorkflowWroteIsNotAnnouncedAgain() {
        ReleaseRecord own = new ReleaseRecord("shop-1", "ROLLED_BACK", "release shop-1: together", null, List.of(), RELEASE_ARN,
                "2025-03-01T12:29:00Z", null, false);
        table.putRelease(own);

        ReleaseCloser.Closed closed = closer(true).close(end("ABORTED", null, null), "shop-1", log());

        assertFalse(closed.recorded());
        assertFalse(closed.announced());
        assertEquals(own, table.releases.get("shop-1"));
        assertTrue(published.isEmpty());
    }

    @Test
    void aRecordTheWorkflowWroteButDidNotAnnounceIsAnnouncedOnce() {
        ReleaseRecord own = new ReleaseRecord("shop-1", "SUCCEEDED", "release shop-1: together", null, List.of(
                new ReleaseRecord.ServiceEnd("pushdeploy/web", "web@sha256:" + "1".repeat(64), "shop-1-web", "SUCCEEDED", "LIVE", null, null,
                        null)), RELEASE_ARN,
                "2025-03-01T12:29:00Z", null, false);
        table.putRelease(own);
        runs.notified = false;

        ReleaseCloser.Closed closed = closer(true).close(end("ABORTED", null, null), "shop-1", log());
        ReleaseCloser.Closed again = closer(true).close(end("ABORTED", null, null), "shop-1", log());

        assertFalse(closed.recorded());
        assertTrue(closed.announced());
        assertFalse(again.announced());
        assertEquals(List.of(own.notice()), published, "the workflow's record, as it wrote it");
        assertEquals("SUCCEEDED", table.releases.get("shop-1").outcome());
        assertTrue(table.releases.get("shop-1").published());
        assertTrue(runs.started.isEmpty(), "nothing of the release is undone: it had ended");
    }

    /** The closer, the release planned under the configuration's RollBackStoppedRuns {@code rollBackStoppedRuns}. */
    private ReleaseCloser closer(boolean rollBackStoppedRuns) {
        runs.plan = runs.plan.map(p -> new ReleasePlan(p.release(), p.reason(), p.rollbackReason(), p.services(), rollBackStoppedRuns));
        return new ReleaseCloser(runs, table, published::add, clock);
    }

    private static Reconciler.ExecutionEnd end(String status, String error, String cause) {
        return new Reconciler.ExecutionEnd(RELEASE_ARN, status, error, cause, Instant.parse("2025-03-01T12:29:59Z"));
    }

    private static StepLog log() {
        return StepLog.to(line -> { }, "Reconcile");
    }
}
