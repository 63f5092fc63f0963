package dev.pushdeploy.ledger;

import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.FinalizeResult;
import dev.pushdeploy.model.LockResult;
import dev.pushdeploy.model.LockStatus;
import dev.pushdeploy.model.Outcome;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.RequestScoped;
import dev.pushdeploy.model.Result;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.model.RotationResult;
import dev.pushdeploy.model.ScanResult;
import dev.pushdeploy.model.ScanStatus;
import dev.pushdeploy.model.StepError;
import dev.pushdeploy.model.Verdict;
import dev.pushdeploy.rollout.DeploymentStarter;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Finalize: the last step of every execution whose request Prepare accepted. Its named steps, each safe
 * to repeat (see {@link RunCloser}):
 * <ol>
 *   <li>{@link #ending}: the outcome the state machine reached, why (the original error or verdict),
 *       and what the way back did, kept apart;</li>
 *   <li>observe what the service runs;</li>
 *   <li>housekeeping, for the lock's holder: release parameters in step with the live revision, revisions
 *       beyond keepRevisions deregistered;</li>
 *   <li>the history record, once per run;</li>
 *   <li>release of the lock and of the waiter;</li>
 *   <li>the notification, once per run.</li>
 * </ol>
 * Whatever Finalize does not get to do, the reconciler does from outside the execution.
 */
public final class Finalizer {
    static final String RECORDED_BY = "Finalize";

    /**
     * The state document fields Finalize reads.
     *
     * @param error         what a Catch caught before the rollback ({@code $.error})
     * @param rollbackError what a Catch caught on the way back ({@code $.rollbackError})
     */
    public record Input(
            DeployRequest request,
            Result result,
            Release release,
            Rollout rollout,
            CheckResult check,
            Rollout rollback,
            CheckResult rollbackCheck,
            LockResult lock,
            ScanResult scan,
            RotationResult secrets,
            StepError error,
            StepError rollbackError) implements RequestScoped {
    }

    private final RunCloser closer;
    private final DeploymentStarter.Ownership holds;

    public Finalizer(RunCloser closer) {
        this(closer, closer::holdsUntakenOver);
    }

    /** {@code holds}: whether the run holds its service's lock, so keeps house and releases it ({@link RunCloser#holdsUntakenOver}). */
    public Finalizer(RunCloser closer, DeploymentStarter.Ownership holds) {
        this.closer = closer;
        this.holds = holds;
    }

    public FinalizeResult finish(Input input, StepLog log) {
        DeployRequest request = input.request();
        Ending ending = ending(input);
        String key = request.serviceKey();
        if (key == null) {
            closer.announceUnrecorded(new OutcomeNotice(request.requestId(), ending.outcome(), ending.reason(), ending.error(),
                    ending.rollback(), request.action(), null, request.image(), null, request.previousTaskDefinition(),
                    ending.release(), List.of(), List.of()));
            return new FinalizeResult(ending.outcome(), ending.reason(), null, request.image(), null, request.previousTaskDefinition(), List.of());
        }
        RunCloser.Live live = closer.observe(request);
        boolean holder = holds.holds(request);
        RunCloser.Closed closed = closer.close(request, ending, live, holder, true, RECORDED_BY, log);
        HistoryItem record = closed.record();
        boolean announced = closed.announced();
        log.info("finalized", "outcome", record.outcome(), "taskDefinition", record.taskDefinition(), "lockReleased", holder,
                "deregistered", record.deregistered(), "announced", announced, "recordedBy", record.recordedBy());
        Outcome outcome = request.undoes() == null ? record.outcome() : ending.outcome();
        String reason = request.undoes() == null ? record.summary() : ending.reason();
        return new FinalizeResult(outcome, reason, key, request.image(), record.taskDefinition(),
                request.previousTaskDefinition(), record.deregistered());
    }

    /** The outcome the state machine reached, its reason, the error that caused it and the rollback's result. */
    public static Ending ending(Input input) {
        if (input.request() == null || input.request().requestId() == null) {
            throw new InvalidRequestException("request", "is required");
        }
        if (input.result() == null || input.result().outcome() == null) {
            throw new InvalidRequestException("result.outcome", "is required");
        }
        Outcome outcome = input.result().outcome();
        String release = input.release() != null ? input.release().taskDefinition()
                : input.rollout() != null ? input.rollout().taskDefinition() : null;
        return new Ending(outcome, reason(input), errorName(input), rollbackResult(input), release,
                input.rollout() == null ? null : input.rollout().deploymentId(), input.secrets(), verified(input),
                RolloutReach.of(input.check()), List.of());
    }

    /**
     * The first that applies: result.reason; the request's own decision (IGNORED or REJECTED after a
     * wait); the lock's answer (SUPERSEDED, DUPLICATE, TIMED_OUT); a failed scan; the rollout check's
     * final verdict when it is not HEALTHY; the error a Catch caught; the check's summary; the outcome.
     */
    static String reason(Input input) {
        Outcome outcome = input.result().outcome();
        Optional<CheckResult> check = Optional.ofNullable(input.check());
        List<Supplier<String>> candidates = List.of(
                () -> input.result().reason(),
                () -> outcome == Outcome.INTERRUPTED ? interruption(input) : null,
                () -> input.request().decision() != Decision.PROCEED ? input.request().decisionReason() : null,
                () -> input.lock() != null && input.error() == null && Stream.of(LockStatus.SUPERSEDED, LockStatus.DUPLICATE,
                        LockStatus.TIMED_OUT).anyMatch(s -> s == input.lock().status()) ? input.lock().reason() : null,
                () -> input.scan() != null && input.scan().status() != ScanStatus.PASSED && input.rollout() == null ? input.scan().reason() : null,
                () -> check.filter(c -> c.verdict() != null && c.verdict().isFinal() && c.verdict() != Verdict.HEALTHY)
                        .map(CheckResult::reason).orElse(null),
                () -> input.error() == null ? null : input.error().describe(),
                () -> check.map(CheckResult::reason).orElse(null));
        return candidates.stream().map(Supplier::get).filter(Finalizer::notBlank).findFirst().map(RunCloser::clean)
                .orElse(outcome.name());
    }

    /** What interrupted the run: a check that saw someone else's deployment, or the step that refused to move the service. */
    private static String interruption(Input input) {
        return Stream.of(input.rollbackCheck(), input.check())
                .filter(c -> c != null && c.verdict() == Verdict.INTERRUPTED).map(CheckResult::reason).findFirst()
                .orElseGet(() -> Stream.of(input.rollbackError(), input.error()).filter(e -> e != null && e.name() != null
                                && (e.name().endsWith("RunInterruptedException") || e.name().endsWith("ServiceMovedException"))).map(StepError::message).findFirst().orElse(null));
    }

    /** What the way back did: the rollback check's final verdict, or the error it ran into. */
    static String rollbackResult(Input input) {
        CheckResult check = input.rollbackCheck();
        String target = input.rollback() == null ? null : input.rollback().target();
        if (check != null && check.verdict() == Verdict.HEALTHY) {
            return "back on " + target + ", healthy: " + check.reason();
        }
        if (input.rollbackError() != null) {
            return (input.result().outcome() == Outcome.INTERRUPTED ? "rollback not done: " : "rollback failed: ")
                    + input.rollbackError().describe();
        }
        if (check != null && check.verdict() != null && check.verdict().isFinal()) {
            return "rollback to " + target + " failed: " + check.reason();
        }
        if (input.rollback() != null && !input.rollback().started() && input.rollout() == null) {
            return "nothing to roll back: the service never left " + target;
        }
        return input.rollback() == null ? null : "rollback to " + target + " started";
    }

    private static String errorName(Input input) {
        return input.error() == null ? null : input.error().name();
    }

    private static String verified(Input input) {
        return switch (input.result().outcome()) {
            case SUCCEEDED -> input.rollout() != null && input.check() != null && input.check().verdict() == Verdict.HEALTHY
                    ? input.rollout().taskDefinition() : null;
            case ROLLED_BACK -> input.rollback() != null && input.rollbackCheck() != null
                    && input.rollbackCheck().verdict() == Verdict.HEALTHY ? input.rollback().taskDefinition() : null;
            default -> null;
        };
    }

    private static boolean notBlank(String text) {
        return text != null && !text.isBlank();
    }
}
