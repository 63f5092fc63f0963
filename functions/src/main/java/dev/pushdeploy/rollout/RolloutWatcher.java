package dev.pushdeploy.rollout;

import dev.pushdeploy.error.RunInterruptedException;
import dev.pushdeploy.error.TransientException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.QuickRetry;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.Rollout;
import java.util.Optional;

/**
 * Waits for a rollout by ECS's events instead of polling. The workflow's wait task registers its
 * task token here ({@link #watch}); each ECS event about the service re-runs the check
 * ({@link #onEvent}) and resumes the workflow with the verdict once it is final. Intermediate
 * events cost a check, never a state transition. The registration checks once itself, after the
 * token is stored, so an event that came before the token was stored is not missed; a lost event
 * only delays until the watch task times out after the rollout's {@link Rollout#recheckSeconds()} and the
 * workflow watches again, which checks again. The lease covers that wait.
 *
 * <p>A look that cannot observe the service (throttling beyond the SDK's retries, a call cut off by its bound) before the
 * deadline is not waited out as a lost event, since the event may have come already: the registration's fails, so that
 * the task's Retry registers and looks again within seconds; an event's resumes the workflow IN_PROGRESS, which watches
 * again at once. So as often as {@link QuickRetry} allows; then a throttle that lasts is waited out as a lost event is.
 * The run's resumes by events are counted in the store, so that events a run cannot observe cost it a bounded history.
 */
public final class RolloutWatcher {
    /** How long a watch outlives its rollout's deadline before the table drops it. */
    static final long GRACE_SECONDS = 3600;

    private final RolloutChecker checker;
    private final RolloutWatches watches;
    private final TaskTokens tokens;

    public RolloutWatcher(RolloutChecker checker, RolloutWatches watches, TaskTokens tokens) {
        this.checker = checker;
        this.watches = watches;
        this.tokens = tokens;
    }

    /**
     * Registers the waiting task's token, then checks: a final verdict resumes the workflow at once. A
     * transient failure (throttling that outlived the SDK's retries) before the rollout's deadline is thrown, for
     * the task's Retry, as {@link QuickRetry#registration} allows after {@code retries} (the task's so far) in a wait that
     * began {@code waitedMillis} ago; past the deadline the rollout is TIMED_OUT.
     *
     * @throws TransientException when the service could not be observed and the task is to be retried
     */
    public CheckResult watch(String token, DeployRequest request, Rollout rollout, Release release, int retries, long waitedMillis,
                             StepLog log) {
        Watch watch = new Watch(token, request, rollout, release, rollout.deadlineAt() / 1000 + GRACE_SECONDS, retries);
        Look look = look(watch, true, log);
        if (look.result().verdict().isFinal()) {
            resume(watch, look.result(), log);
        } else if (look.unobserved() != null && QuickRetry.registration(retries, waitedMillis)) {
            throw look.unobserved();
        }
        return look.result();
    }

    /**
     * An ECS event about a service: re-checks the rollout a workflow waits for, if any, and
     * resumes it when the verdict is final, or IN_PROGRESS when the service could not be observed (the workflow
     * watches again). Empty when nothing waits for the service, or when the
     * waiting run no longer holds the service's lock (stopped, taken over): its watch is dropped and
     * the run, if it still runs, learns so at its own next check. {@code stoppedRevision} is the revision
     * of the task a task event says stopped (null for other events, or when it does not say): a task of
     * another revision than the one the rollout brings (an old task the rollout replaces) is no evidence
     * about it, so nothing is checked (empty); ECS's deployment events and the recheck still come.
     *
     * @throws TransientException when the service could not be observed and the wait's quick retries, or the run's resumes by
     *                            events ({@link QuickRetry#EVENT_RESUMES}), are spent
     */
    public Optional<CheckResult> onEvent(String cluster, String service, String stoppedRevision, StepLog log) {
        Optional<Watch> watch = watches.find(cluster, service);
        if (watch.isEmpty()) {
            log.info("no workflow waits for the service", "cluster", cluster, "service", service);
            return Optional.empty();
        }
        String watched = watch.get().rollout().taskDefinition();
        if (stoppedRevision != null && watched != null && !stoppedRevision.equals(watched)) {
            log.info("a task of another revision stopped: nothing to check", "stopped", stoppedRevision, "rollout", watched);
            return Optional.empty();
        }
        Look look;
        try {
            look = look(watch.get(), false, log);
        } catch (RunInterruptedException e) {
            log.info("the waiting run no longer holds the lock; its watch is dropped", "reason", e.getMessage());
            watches.remove(cluster, service, watch.get().token());
            return Optional.empty();
        }
        if (look.result().verdict().isFinal()
                || look.unobserved() != null && QuickRetry.event(watch.get().retries()) && watches.countResume(watch.get(), QuickRetry.EVENT_RESUMES)) {
            resume(watch.get(), look.result(), log);
        } else if (look.unobserved() != null) {
            throw look.unobserved();
        }
        return Optional.of(look.result());
    }

    /** One check for a watch; {@code unobserved}: why the service could not be seen, null when it was. */
    private record Look(CheckResult result, TransientException unobserved) {
    }

    /** Checks for the watch, after storing it when {@code register}. */
    private Look look(Watch watch, boolean register, StepLog log) {
        int seconds = watch.rollout().recheckSeconds();
        try {
            if (register) {
                watches.register(watch);
            }
            return new Look(checker.check(watch.request(), watch.rollout(), watch.release(), seconds, log), null);
        } catch (TransientException e) {
            return new Look(checker.unobserved(watch.request(), watch.rollout(), seconds, e, log), e);
        }
    }

    private void resume(Watch watch, CheckResult result, StepLog log) {
        boolean resumed = tokens.succeed(watch.token(), result);
        log.info(resumed ? "workflow resumed" : "the workflow no longer waits for this token", "verdict", result.verdict());
        watches.remove(watch.request().cluster(), watch.request().service(), watch.token());
    }
}
