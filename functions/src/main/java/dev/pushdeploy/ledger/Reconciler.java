package dev.pushdeploy.ledger;

import dev.pushdeploy.error.RunInterruptedException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.Outcome;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.model.StepError;
import dev.pushdeploy.model.Text;
import dev.pushdeploy.rollout.DeploymentStarter;
import dev.pushdeploy.rollout.ServiceState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The accounting guarantee from outside the execution: run for every execution that ends (SUCCEEDED,
 * FAILED, TIMED_OUT, ABORTED, as Step Functions reports it to EventBridge), it does whatever Finalize did
 * not, with the same idempotent steps ({@link RunCloser}): the lock and the waiter released, exactly one
 * history record, one notification, release parameters naming what is live.
 *
 * <p>Where the run was comes from its own history ({@link RunHistory}): the newest state document. A run
 * whose request Prepare never accepted wrote nothing and needs nothing. A run that reached its outcome
 * but not the end of Finalize (Finalize failed on every attempt, or was stopped) is recorded with that
 * outcome. Any other run was cut off (stopped, timed out, failed by a service limit such as
 * States.DataLimitExceeded) and is recorded as ABORTED, TIMED_OUT or FAILED, saying where it was and what
 * the service runs. If it left the service on its own revision, never verified healthy, and still holds
 * the lock, the service goes back to the recorded revision when the run's request says so
 * ({@link DeployRequest#rollsBackWhenCutOff()}: the configuration's RollBackStoppedRuns when the run was prepared, which
 * StartDeployment's undo of a late move follows too), and is otherwise left as it is; the record says which. A rollback is never
 * undone: its revision was live before, and undoing it would move the service onto the revision it was taken off.
 *
 * <p>A step still running when its execution ended runs on to its end (Step Functions does not stop a Lambda
 * invocation). RotateSecrets writes the secret slots and the database role without asking the lock;
 * StartDeployment and Rollback ask it before their UpdateService, which may still land afterwards (and
 * StartDeployment's undo of a move that landed late asks nothing). So a run stopped or timed out in one of
 * these keeps its lock, marked closing, until that invocation has surely ended (the end plus the function's
 * timeout): no next run rotates the same slots or moves the service while the old invocation may still write. So does
 * a run stopped in the Wait after one of these steps' failed Invoke call (RotationEnded, StartEnded, RollbackEnded),
 * whose lost invocation began before the Wait did.
 */
public final class Reconciler {
    static final String RECORDED_BY = "reconciler";
    /** The states whose step may still write after the run ended: its run keeps the lock until the step has surely ended. */
    private static final String STARTING = "StartDeployment";
    private static final String ROLLING_BACK = "Rollback";
    private static final String ROTATING = "RotateSecrets";
    /** The Waits after a failed Invoke call of those steps, whose lost invocation may still write too. */
    private static final String ROTATION_ENDED = "RotationEnded";
    private static final String START_ENDED = "StartEnded";
    private static final String ROLLBACK_ENDED = "RollbackEnded";
    /** The most of a stop's or failure's cause (up to 32,768 characters on Step Functions) a record repeats. */
    static final int MAX_CAUSE = 300;
    /** Added to the step's timeout: clocks apart, and an invocation Step Functions had just sent when the execution ended. */
    public static final Duration KEEP_MARGIN = Duration.ofSeconds(30);

    /** The timeouts of the functions whose invocation may still write after its execution ended: how long one may run. */
    public record StepTimeouts(Duration rotateSecrets, Duration startDeployment, Duration rollback) {
        public StepTimeouts {
            Objects.requireNonNull(rotateSecrets, "rotateSecrets");
            Objects.requireNonNull(startDeployment, "startDeployment");
            Objects.requireNonNull(rollback, "rollback");
        }

        /** The timeout of the step of {@code state}, when that step may still write after its run ended. */
        Optional<Duration> of(String state) {
            return Optional.ofNullable(switch (state) {
                case ROTATING, ROTATION_ENDED -> rotateSecrets;
                case STARTING, START_ENDED -> startDeployment;
                case ROLLING_BACK, ROLLBACK_ENDED -> rollback;
                default -> null;
            });
        }
    }

    /**
     * How an execution ended, from its status change event.
     *
     * @param status  SUCCEEDED, FAILED, TIMED_OUT or ABORTED
     * @param endedAt when it ended (the event's stopDate); no step of it starts after that
     */
    public record ExecutionEnd(String executionArn, String status, String error, String cause, Instant endedAt) {
    }

    /**
     * What the reconciler did.
     *
     * @param recorded false when there was nothing to account for, or Finalize had recorded the run
     */
    public record Reconciled(String executionArn, String service, Outcome outcome, boolean recorded, boolean announced,
                             String detail) {
    }

    private final RunHistory history;
    private final RunCloser closer;
    private final DeploymentStarter starter;
    private final StepTimeouts timeouts;

    public Reconciler(RunHistory history, RunCloser closer, DeploymentStarter starter, StepTimeouts timeouts) {
        this.history = history;
        this.closer = closer;
        this.starter = starter;
        this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
    }

    public Reconciled reconcile(ExecutionEnd end, StepLog log) {
        if ("RUNNING".equals(end.status())) {
            return new Reconciled(end.executionArn(), null, null, false, false, "the execution still runs");
        }
        Optional<RunHistory.LastState> last = history.lastState(end.executionArn());
        DeployRequest request = last.map(s -> s.document().request()).orElse(null);
        if (request == null || request.serviceKey() == null
                || (request.decision() != Decision.PROCEED && last.get().document().lock() == null)) {
            log.info("nothing to reconcile: the execution ended before its request was accepted", "execution", end.executionArn(),
                    "status", end.status());
            return new Reconciled(end.executionArn(), null, null, false, false,
                    "the execution ended before its request was accepted: it wrote nothing");
        }
        String key = request.serviceKey();
        Instant keepUntil = keepUntil(end, last.get().state());
        Optional<HistoryItem> existing = closer.recorded(request);
        if (existing.isPresent()) {
            closer.release(request, keepUntil);
            boolean announced = closer.announce(key, existing.get());
            log.info("already recorded", "execution", end.executionArn(), "status", end.status(), "outcome", existing.get().outcome(),
                    "recordedBy", existing.get().recordedBy(), "announced", announced);
            return new Reconciled(end.executionArn(), key, existing.get().outcome(), false, announced,
                    "recorded by " + existing.get().recordedBy());
        }
        RunHistory.LastState state = last.get();
        boolean holder = closer.takeOver(request);
        RunCloser.Live live = closer.observe(request);
        Ending ending;
        if (state.document().result() != null && state.document().result().outcome() != null) {
            ending = unfinishedFinalize(end, state);
        } else {
            Cutoff cutoff = cutoff(end, state, request, holder, live, keepUntil, log);
            ending = cutoff.ending();
            live = cutoff.live();
        }
        RunCloser.Closed closed = closer.close(request, ending, live, holder, false, RECORDED_BY, keepUntil, log);
        HistoryItem record = closed.record();
        boolean announced = closed.announced();
        log.info("reconciled", "execution", end.executionArn(), "status", end.status(), "state", state.state(),
                "outcome", record.outcome(), "taskDefinition", record.taskDefinition(), "lockReleased", holder && keepUntil == null,
                "lockKeptUntil", holder && keepUntil != null ? keepUntil.toString() : null, "announced", announced);
        return new Reconciled(end.executionArn(), key, record.outcome(), true, announced, record.reason());
    }

    /**
     * Until when the run keeps its lock: null (released now) unless it was stopped or ran into the time limit
     * in a state whose step may still write. A FAILED execution was failed by its state's own end (every Task
     * catches States.ALL; what fails the run is uncatchable, such as a result over the size limit), so no
     * step of it is still running.
     */
    private Instant keepUntil(ExecutionEnd end, String state) {
        if (!"ABORTED".equals(end.status()) && !"TIMED_OUT".equals(end.status())) {
            return null;
        }
        return timeouts.of(state).map(timeout -> Objects.requireNonNull(end.endedAt(), "endedAt").plus(timeout).plus(KEEP_MARGIN))
                .orElse(null);
    }

    /** The run reached its outcome; Finalize did not finish recording it. */
    private static Ending unfinishedFinalize(ExecutionEnd end, RunHistory.LastState state) {
        Ending decided = Finalizer.ending(state.document());
        StepError failure = state.finalizeError();
        String note = "Finalize did not finish (" + end.status()
                + (failure != null ? ": " + failure.describe() : end.error() != null ? ": " + end.error() : "")
                + "); recorded by the reconciler";
        List<String> notes = new ArrayList<>(decided.notes());
        notes.add(note);
        return new Ending(decided.outcome(), decided.reason(), decided.error(), decided.rollback(), decided.release(),
                decided.deploymentId(), decided.secrets(), decided.verified(), decided.reach(), notes);
    }

    private record Cutoff(Ending ending, RunCloser.Live live) {
    }

    /** The run was cut off before it reached an outcome: say where, and what the service runs. */
    private Cutoff cutoff(ExecutionEnd end, RunHistory.LastState state, DeployRequest request, boolean holder,
            RunCloser.Live live, Instant keepUntil, StepLog log) {
        Finalizer.Input doc = state.document();
        Outcome outcome = switch (end.status()) {
            case "ABORTED" -> Outcome.ABORTED;
            case "TIMED_OUT" -> Outcome.TIMED_OUT;
            default -> Outcome.FAILED;
        };
        String cause = end.cause() == null || end.cause().isBlank() ? ""
                : " (" + Text.atMost(end.cause(), MAX_CAUSE) + ")";
        String how = switch (outcome) {
            case ABORTED -> "the execution was stopped" + cause;
            case TIMED_OUT -> "the execution ran into the state machine's time limit";
            default -> "the execution failed" + (end.error() == null ? "" : " with " + end.error()) + cause;
        };
        String ours = doc.release() != null ? doc.release().taskDefinition()
                : request.action() == Action.ROLLBACK ? request.targetTaskDefinition() : null;
        String previous = request.previousTaskDefinition();
        boolean rollBackStoppedRuns = request.rollsBackWhenCutOff();
        String rollback = null;
        String where;
        if (!holder) {
            where = doc.lock() != null ? "while waiting for the lock of " + request.serviceKey() : "before it took the lock";
            where += "; the service was not touched";
        } else if (live.service().isEmpty()) {
            where = "and " + request.serviceKey() + " no longer exists or is not ACTIVE (deleted, or being deleted, by someone else): "
                    + "nothing is left to roll back";
        } else if (ours == null || !live.reached(ours)) {
            where = "before its revision reached the service; the service stays on " + shortName(live.arn());
            if (STARTING.equals(state.state())) {
                where += rollBackStoppedRuns ? " (StartDeployment was in flight: a move that lands now is undone by the step)"
                        : " (StartDeployment was in flight: a move that lands now stays, RollBackStoppedRuns being off)";
            }
        } else if (!DeploymentStarter.undoable(request)) {
            where = "with the service on its way back to " + shortName(ours) + " (a rollback; it is not undone), not verified";
        } else if (doc.rollback() != null) {
            where = "while rolling back to " + shortName(previous);
            rollback = "rollback to " + shortName(previous) + " had started; not verified";
        } else if (rollBackStoppedRuns && previous != null) {
            rollback = rollBack(request, ours, live.service(), log);
            where = "with the service on " + shortName(ours) + ", never verified healthy";
            live = closer.observe(request);
        } else {
            where = "with the service on " + shortName(ours) + ", never verified healthy; it is left there (RollBackStoppedRuns is off)";
            if (ROLLING_BACK.equals(state.state())) {
                where += "; Rollback was in flight: a move back to " + shortName(previous) + " that lands now stays";
            }
        }
        if (holder && keepUntil != null) {
            where += "; the lock stays with this run until " + keepUntil + " (" + state.state() + "'s timeout after the end), so that no next run "
                    + (ROTATING.equals(state.state()) ? "rotates the secrets while RotateSecrets may still write them"
                    : "moves the service while a move of " + state.state() + " may still land");
        }
        String reason = how + " in state " + state.state() + ", " + where;
        return new Cutoff(new Ending(outcome, reason, end.error(), rollback, ours,
                Optional.ofNullable(doc.rollout()).map(Rollout::deploymentId).orElse(null), doc.secrets(), null, RolloutReach.of(doc.check()),
                List.of("the execution ended without Finalize (" + end.status() + "); recorded by the reconciler")), live);
    }

    /** Moves the service back from {@code service}, as observed once the run was taken over (read again if it was not found). */
    private String rollBack(DeployRequest request, String ours, Optional<ServiceState> service, StepLog log) {
        try {
            Rollout back = service.isPresent()
                    ? starter.moveTo(request, request.previousTaskDefinition(), ours, request.previousDesiredCount(), service.get(), log)
                    : starter.moveTo(request, request.previousTaskDefinition(), ours, request.previousDesiredCount(), log);
            return (back.started() ? "rolled back to " : "already back on ") + back.target()
                    + " by the reconciler (RollBackStoppedRuns); not verified";
        } catch (RunInterruptedException moved) {
            return "not rolled back: " + moved.getMessage();
        }
    }

    private static String shortName(String revision) {
        return revision == null ? "(unknown)" : Revisions.shortName(revision);
    }
}
