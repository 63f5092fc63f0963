package dev.pushdeploy.ledger;

import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.ReleasePlan;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.Text;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The accounting guarantee for a release: one that ended without its Record state (stopped, timed out,
 * failed by a service limit) gets its record and its notification here, once (one cut off after its outcome was decided,
 * on its way through Record and Notify, gets the record of that outcome and nothing undone); one cut off after its Record
 * state wrote the record and before it left its Notify state gets that record announced; one whose Record or
 * Notify state failed every attempt gets what that state did not do. Step Functions stops the
 * deployments a stopped release was running (each is accounted for by its own reconciler); a deployment
 * that had already gone live stays on the release's image unless its plan says otherwise ({@link ReleasePlan#rollsBackWhenCutOff()}:
 * the configuration's RollBackStoppedRuns when the release was planned), when it
 * goes back by the rollback execution the release's own rollback would have started (same name, same input).
 * Safe to repeat: a rollback execution is started once (its name), the record is written once, the
 * notification claimed on the record before it is sent.
 */
public final class ReleaseCloser {
    static final String RECORDED_BY = "reconciler";
    static final String RECORD_MISSED = "the release's Record state did not write its record (it failed every attempt);"
            + " the reconciler wrote it from the release's own summary";
    static final String VERDICT_REACHED = " after its outcome was decided and before its Record state wrote it: recorded as decided,"
            + " from the release's summary; nothing of it was undone";
    /** The ends the workflow reaches through its Record state (REJECTED writes nothing, by design). */
    private static final Set<String> OWN_ENDS = Set.of("ROLLED_BACK", "FAILED", "REJECTED");

    private final ReleaseRuns runs;
    private final ReleaseRecords records;
    private final ReleaseSink sink;
    private final Clock clock;

    public ReleaseCloser(ReleaseRuns runs, ReleaseRecords records, ReleaseSink sink, Clock clock) {
        this.runs = runs;
        this.records = records;
        this.sink = sink;
        this.clock = clock;
    }

    /**
     * What the reconciler did for a release.
     *
     * @param record the release's record, when it has one (written now or before)
     */
    public record Closed(Optional<ReleaseRecord> record, boolean recorded, boolean announced, String detail) {
    }

    public Closed close(Reconciler.ExecutionEnd end, String release, StepLog log) {
        String status = end.status();
        if (!endedWithoutItsRecord(status, end.error())) {
            return recordedOrNot(end, release, log);
        }
        Optional<ReleaseRecord> existing = records.release(release);
        if (existing.isPresent()) {
            boolean announced = (RECORDED_BY.equals(existing.get().recordedBy()) || !runs.notified(end.executionArn()))
                    && announce(existing.get());
            log.info("release already recorded", "release", release, "outcome", existing.get().outcome(), "announced", announced);
            return new Closed(existing, false, announced, "recorded before");
        }
        Optional<ReleaseRuns.Summary> verdict = runs.verdict(end.executionArn());
        if (verdict.isPresent()) {
            return fromSummary(end, release, verdict.get(), how(end) + VERDICT_REACHED, log);
        }
        Optional<ReleasePlan> plan = runs.plan(end.executionArn());
        List<ReleaseRecord.ServiceEnd> services = plan.map(p -> p.services().stream().map(e -> serviceEnd(p, e, log)).toList())
                .orElse(List.of());
        String outcome = switch (status) {
            case "ABORTED" -> "ABORTED";
            case "TIMED_OUT" -> "TIMED_OUT";
            default -> "FAILED";
        };
        ReleaseRecord record = new ReleaseRecord(release, outcome, plan.map(ReleasePlan::reason).orElse("release " + release),
                cause(end, plan.isPresent(), services), services, end.executionArn(), HistoryItem.time(clock.instant()), RECORDED_BY,
                false);
        boolean recorded = records.putRelease(record);
        ReleaseRecord stored = recorded ? record : records.release(release).orElse(record);
        boolean announced = RECORDED_BY.equals(stored.recordedBy()) && announce(stored);
        log.info("release reconciled", "release", release, "status", status, "outcome", stored.outcome(), "recorded", recorded,
                "announced", announced, "services", services.stream().map(s -> s.service() + "=" + s.state()).toList());
        return new Closed(Optional.of(stored), recorded, announced, stored.cause());
    }

    /**
     * A release that ended through its Record state has its record and its notification, unless one of those states failed
     * every attempt (DynamoDB or SNS unavailable for the minute of its retries): the workflow goes on to its end either
     * way, and the summary it ends with says what Record would have written and whether Notify's publish failed. A
     * missing record is written here from that summary; a notification the workflow could not send is sent here, once
     * (claimed on the record). REJECTED records nothing, by design.
     */
    private Closed recordedOrNot(Reconciler.ExecutionEnd end, String release, StepLog log) {
        String own = "the release ended through its own Record state (" + end.status() + ")";
        if ("RUNNING".equals(end.status()) || "REJECTED".equals(end.error())) {
            return new Closed(Optional.empty(), false, false, own);
        }
        Optional<ReleaseRuns.Summary> summary = runs.summary(end.executionArn());
        boolean notifyFailed = summary.map(ReleaseRuns.Summary::notifyFailed).orElse(false);
        Optional<ReleaseRecord> existing = records.release(release);
        if (existing.isPresent()) {
            boolean announced = notifyFailed && announce(existing.get());
            if (announced) {
                log.info("release announced for its Notify state", "release", release, "outcome", existing.get().outcome());
            }
            return new Closed(existing, false, announced, announced ? own + "; its Notify state failed: announced now" : own);
        }
        if (summary.isEmpty()) {
            log.warn("release has no record and no summary to write one from", "release", release, "status", end.status());
            return new Closed(Optional.empty(), false, false, own + ", without its record and without a summary to write it from");
        }
        return fromSummary(end, release, summary.get(), RECORD_MISSED, log);
    }

    /** The record the release's Record state would have written, from its summary, once; announced unless Notify sent it. */
    private Closed fromSummary(Reconciler.ExecutionEnd end, String release, ReleaseRuns.Summary summary, String cause, StepLog log) {
        ReleaseRecord record = new ReleaseRecord(release, summary.outcome(), summary.reason(), cause, summary.services(),
                end.executionArn(), HistoryItem.time(clock.instant()), RECORDED_BY, !summary.notifyFailed());
        boolean recorded = records.putRelease(record);
        ReleaseRecord stored = recorded ? record : records.release(release).orElse(record);
        boolean announced = RECORDED_BY.equals(stored.recordedBy()) && announce(stored);
        log.info("release recorded from its summary", "release", release, "status", end.status(), "outcome", stored.outcome(),
                "recorded", recorded, "announced", announced);
        return new Closed(Optional.of(stored), recorded, announced, stored.cause());
    }

    /**
     * Whether a release execution that ended with this status and error ended without its Record state (stopped, timed
     * out, failed by a service limit), so that the reconciler writes its record; false while it runs.
     */
    public static boolean endedWithoutItsRecord(String status, String error) {
        return !"RUNNING".equals(status) && !"SUCCEEDED".equals(status) && !("FAILED".equals(status) && error != null && OWN_ENDS.contains(error));
    }

    /**
     * Where a service stands that a record left ROLLING_BACK, its rollback execution read as the reconciler reads one
     * it finds started: still on its way, back, left to a later request, or not known back. Any other entry as it is.
     */
    public static ReleaseRecord.ServiceEnd settled(ReleaseRecord.ServiceEnd end, ReleaseRuns runs) {
        if (!"ROLLING_BACK".equals(end.state()) || end.rollbackExecution() == null) {
            return end;
        }
        return rollingBack(end, runs.run(end.rollbackExecution()));
    }

    /** Where the release left the service, from the end of its deployment; a moved one goes back when the setting says so. */
    private ReleaseRecord.ServiceEnd serviceEnd(ReleasePlan plan, ReleasePlan.Entry entry, StepLog log) {
        Optional<ReleaseRuns.Run> found = runs.run(entry.execution());
        if (found.isEmpty()) {
            return end(entry, "NOT_STARTED", "UNCHANGED", null, null, null);
        }
        ReleaseRuns.Run run = found.get();
        return switch (run.status()) {
            case "SUCCEEDED" -> moved(plan, entry, run, log);
            case "FAILED" -> "ROLLED_BACK".equals(run.error()) || "REJECTED".equals(run.error())
                    ? end(entry, run.error(), "BACK", null, null, null)
                    : "SUPERSEDED".equals(run.error()) ? end(entry, run.error(), "SUPERSEDED", null, null, null)
                    : end(entry, run.error() != null ? run.error() : run.status(), "UNVERIFIED", null, null, null);
            default -> end(entry, run.status(), "UNVERIFIED", null, null, null);
        };
    }

    private ReleaseRecord.ServiceEnd moved(ReleasePlan plan, ReleasePlan.Entry entry, ReleaseRuns.Run run, StepLog log) {
        if (run.decision() != Decision.PROCEED) {
            return end(entry, "IGNORED", "UNCHANGED", null, null, null);
        }
        String previous = run.previousTaskDefinition();
        if (previous == null || previous.isEmpty()) {
            return end(entry, "SUCCEEDED", "LIVE", "NO_EARLIER_REVISION", null, null);
        }
        if (!plan.rollsBackWhenCutOff()) {
            return end(entry, "SUCCEEDED", "LIVE", "NOT_STARTED (RollBackStoppedRuns is off)", null, previous);
        }
        String name = entry.rollbackExecution();
        if (runs.startRollback(name, new ReleaseRuns.Rollback(entry.service(), previous, plan.rollbackReason(), entry.execution()))) {
            log.info("rollback started", "service", entry.service(), "execution", name, "to", previous);
            return end(entry, "SUCCEEDED", "ROLLING_BACK", "STARTED", name, previous);
        }
        return rollingBack(end(entry, "SUCCEEDED", "ROLLING_BACK", "STARTED", name, previous), runs.run(name));
    }

    /** A service sent back by {@code rollback} (started before), as far as that execution has got. */
    private static ReleaseRecord.ServiceEnd rollingBack(ReleaseRecord.ServiceEnd started, Optional<ReleaseRuns.Run> rollback) {
        String status = rollback.map(ReleaseRuns.Run::status).orElse("UNKNOWN");
        String error = rollback.map(ReleaseRuns.Run::error).orElse(null);
        if ("FAILED".equals(status) && ("REJECTED".equals(error) || "ROLLED_BACK".equals(error))) {
            // refused before any change, or its move failed and it went back: the service is where the deployment left it
            return now(started, "LIVE", error);
        }
        return switch (status) {
            case "RUNNING" -> started;
            case "SUCCEEDED" -> rollback.filter(r -> superseded(r, started.rollbackTo())).isPresent()
                    ? now(started, "SUPERSEDED", "IGNORED")
                    : now(started, "ROLLED_BACK", "SUCCEEDED");
            default -> now(started, "UNVERIFIED", error != null ? error : status);
        };
    }

    private static ReleaseRecord.ServiceEnd now(ReleaseRecord.ServiceEnd started, String state, String rollback) {
        return new ReleaseRecord.ServiceEnd(started.service(), started.image(), started.execution(), started.deployment(), state, rollback,
                started.rollbackExecution(), started.rollbackTo());
    }

    /**
     * Whether the rollback left the service alone because the release's revision had been followed by another (it found
     * another revision than its target live, and did nothing; see the Preparer).
     */
    private static boolean superseded(ReleaseRuns.Run rollback, String target) {
        return rollback.decision() == Decision.IGNORED && rollback.previousTaskDefinition() != null
                && !Revisions.same(rollback.previousTaskDefinition(), target);
    }

    private static ReleaseRecord.ServiceEnd end(ReleasePlan.Entry entry, String deployment, String state, String rollback,
                                                String rollbackExecution, String rollbackTo) {
        return new ReleaseRecord.ServiceEnd(entry.service(), entry.image(), entry.execution(), deployment, state, rollback,
                rollbackExecution, rollbackTo);
    }

    private static String how(Reconciler.ExecutionEnd end) {
        String because = end.cause() == null || end.cause().isBlank() ? "" : " (" + Text.atMost(end.cause(), Reconciler.MAX_CAUSE) + ")";
        return switch (end.status()) {
            case "ABORTED" -> "the release was stopped" + because;
            case "TIMED_OUT" -> "the release ran into its state machine's time limit";
            default -> "the release failed" + (end.error() == null ? "" : " with " + end.error()) + because;
        };
    }

    private String cause(Reconciler.ExecutionEnd end, boolean planned, List<ReleaseRecord.ServiceEnd> services) {
        String how = how(end);
        if (!planned) {
            return how + " before its plan was made: no deployment was started";
        }
        List<String> parts = new ArrayList<>();
        names(services, "ROLLING_BACK", "ROLLED_BACK").ifPresent(n -> parts.add("going back to the revision live before (RollBackStoppedRuns): " + n));
        names(services, "LIVE").ifPresent(n -> parts.add("left on the release's image: " + n));
        names(services, "UNVERIFIED").ifPresent(n -> parts.add("deployment cut off or unverified, its own record says where it left the service: " + n));
        names(services, "BACK", "UNCHANGED").ifPresent(n -> parts.add("not moved or already back: " + n));
        names(services, "SUPERSEDED").ifPresent(n -> parts.add("left to a later request for the service, before the release moved it or"
                + " after: " + n));
        return how + (parts.isEmpty() ? "" : "; " + String.join("; ", parts));
    }

    private static Optional<String> names(List<ReleaseRecord.ServiceEnd> services, String... states) {
        Set<String> wanted = Set.of(states);
        List<String> names = services.stream().filter(s -> wanted.contains(s.state())).map(ReleaseRecord.ServiceEnd::service).toList();
        return names.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", names));
    }

    /** Publishes the record once: claimed on the record first, the claim given back if sending fails. */
    private boolean announce(ReleaseRecord record) {
        if (record.published() || !records.setReleasePublished(record.release(), true)) {
            return false;
        }
        try {
            sink.publish(record.notice());
            return true;
        } catch (RuntimeException e) {
            records.setReleasePublished(record.release(), false);
            throw e;
        }
    }
}
