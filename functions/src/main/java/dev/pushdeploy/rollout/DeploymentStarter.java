package dev.pushdeploy.rollout;

import dev.pushdeploy.config.Health;
import dev.pushdeploy.error.RunInterruptedException;
import dev.pushdeploy.error.ServiceMovedException;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.model.TaskDefinition;
import dev.pushdeploy.release.RevisionChange;
import dev.pushdeploy.release.TaskDefinitions;
import java.time.Clock;
import java.util.Optional;

/**
 * Moves a service to a task definition revision: the start of a rollout, and the rollback.
 *
 * <p>Idempotent per revision: when the service is already set to it (a retry of the step, or,
 * for a rollback, ECS's circuit breaker got there first) there is no UpdateService and the
 * answer has {@code started=false}. "Already set" is read from the service's
 * {@code taskDefinition}, which ECS keeps equal to the PRIMARY deployment's revision; moto
 * updates that field but never creates deployments, so the PRIMARY alone would mislead there.
 *
 * <p>The move happens only from the revision the caller expects the service on (the live one when the
 * request was prepared; for a rollback, the request's own): a service found on a third revision was
 * moved by someone else, and is left alone (the exception says by what: {@link ServiceMovedException} has a deploy or
 * rotation that still holds the lock prepared again from where the service is, and interrupts a way back; a rollback asked
 * for goes back only from the revision it was asked from, and a run without the lock (redriven after it was accounted for)
 * must not queue again, so they are interrupted, {@link RunInterruptedException}). And it
 * happens only while the request still holds the service's lock, checked right before UpdateService:
 * a step still running after its execution was stopped (Step Functions does not stop a Lambda in flight)
 * must not move a service the reconciler has already accounted for.
 *
 * <p>The deployment id recorded is the PRIMARY deployment's when it runs the revision (from the
 * UpdateService answer, else one DescribeServices re-read). An emulator that creates no
 * deployment leaves it null; CheckDeployment then identifies the deployment by revision. So is the
 * service deployment's ARN: the service's {@code currentServiceDeployment} in the UpdateService answer
 * whose PRIMARY runs the revision; the checks then read that service deployment directly. A service
 * already on the revision records its current service deployment: the one that moved it there (a retry of
 * this step), or the one ECS rolled back to it (the circuit breaker got there first), which reports that
 * rollback itself.
 *
 * <p>A starter built with the task definitions also moves a service to a revision that was deregistered (the live
 * one a rollback goes back to, one an operator names): ECS refuses UpdateService to an INACTIVE revision, so the same
 * definition is registered again ({@link RevisionChange#copyOf}) and the service moved to that copy; the rollout names
 * both. A service found on such a copy of the revision is there already. A revision ECS deleted (DeleteTaskDefinitions)
 * is no longer described: its way back is the copy RegisterTaskDefinition kept while the revision was live.
 */
public final class DeploymentStarter {
    /** Whether a request still holds its service's lock. */
    @FunctionalInterface
    public interface Ownership {
        boolean holds(DeployRequest request);
    }

    /** How many of a family's newest revisions are read for a copy registered before. */
    static final int COPY_LOOKBACK = 5;

    private final EcsServices ecs;
    private final Ownership ownership;
    private final TaskDefinitions revisions;
    private final Clock clock;

    /** A starter that moves to a revision as it is, INACTIVE or not (ECS refuses the latter). */
    public DeploymentStarter(EcsServices ecs, Ownership ownership, Clock clock) {
        this(ecs, ownership, null, clock);
    }

    /** @param revisions where a deregistered revision is registered again to move a service to it; null: never */
    public DeploymentStarter(EcsServices ecs, Ownership ownership, TaskDefinitions revisions, Clock clock) {
        this.ecs = ecs;
        this.ownership = ownership;
        this.revisions = revisions;
        this.clock = clock;
    }

    /**
     * Moves the request's service to {@code taskDefinition}; the service keeps its desired count.
     *
     * @param from the revision the service must be on for the move to happen; null to move from anywhere
     */
    public Rollout moveTo(DeployRequest request, String taskDefinition, String from, StepLog log) {
        return moveTo(request, taskDefinition, from, null, log);
    }

    /**
     * Moves the request's service to {@code taskDefinition} and {@code desiredCount} tasks (null: the service
     * keeps its count). A service already on the revision with another count gets the count alone (ECS's
     * circuit breaker keeps the count of the deployment it rolls back).
     *
     * @param from the revision the service must be on for the move to happen; null to move from anywhere
     */
    public Rollout moveTo(DeployRequest request, String taskDefinition, String from, Integer desiredCount, StepLog log) {
        return moveTo(request, taskDefinition, from, desiredCount, describe(request.cluster(), request.service()), log);
    }

    /** {@link #moveTo(DeployRequest, String, String, Integer, StepLog)} from {@code before}, the service as the caller just read it. */
    public Rollout moveTo(DeployRequest request, String taskDefinition, String from, Integer desiredCount, ServiceState before, StepLog log) {
        String cluster = request.cluster();
        String service = request.service();
        long startedAt = clock.millis();
        long deadlineAt = startedAt + 1000L * (request.deadlineSeconds() > 0 ? request.deadlineSeconds() : Health.DEFAULT.deadlineSeconds());
        boolean counted = desiredCount == null || desiredCount.equals(before.desiredCount());
        if (before.isOn(taskDefinition) && counted) {
            String id = primaryOn(before, taskDefinition).map(Deployment::id).orElse(null);
            log.info("service already on the revision; no new deployment", "taskDefinition", taskDefinition,
                    "deploymentId", id, "serviceDeployment", before.currentServiceDeployment());
            return new Rollout(id, taskDefinition, startedAt, deadlineAt, false, before.currentServiceDeployment(), desiredCount);
        }
        boolean elsewhere = !before.isOn(taskDefinition) && (from == null || !before.isOn(from));
        Optional<String> onCopy = elsewhere ? copyRunning(before, taskDefinition) : Optional.empty();
        if (onCopy.isPresent() && counted) {
            String id = primaryOn(before, onCopy.get()).map(Deployment::id).orElse(null);
            log.info("service already on a copy of the revision; no new deployment", "taskDefinition", onCopy.get(),
                    "copyOf", taskDefinition, "deploymentId", id);
            return new Rollout(id, onCopy.get(), startedAt, deadlineAt, false, before.currentServiceDeployment(), desiredCount, 0,
                    taskDefinition);
        }
        if (from != null && elsewhere && onCopy.isEmpty()) {
            String by = before.primary().map(d -> " (deployment " + d.id() + ")").orElse("");
            String moved = cluster + "/" + service + " runs " + Revisions.shortName(before.taskDefinition()) + by
                    + ", not " + Revisions.shortName(from) + ": it was moved by someone else, so it is left as it is instead of moving it to "
                    + Revisions.shortName(taskDefinition);
            if (request.action() == Action.ROLLBACK || !ownership.holds(request)) {
                throw new RunInterruptedException(moved);
            }
            throw new ServiceMovedException(moved);
        }
        if (!ownership.holds(request)) {
            throw new RunInterruptedException("request " + request.requestId() + " no longer holds the lock of " + request.serviceKey()
                    + ": it does not move the service to " + Revisions.shortName(taskDefinition));
        }
        Moved move = update(cluster, service, onCopy.orElse(taskDefinition), desiredCount, log);
        ServiceState after = move.service();
        String moved = move.revision();
        Optional<Deployment> ours = primaryOn(after, moved)
                .or(() -> primaryOn(describe(cluster, service), moved));
        String id = ours.map(Deployment::id).orElse(null);
        String serviceDeployment = primaryOn(after, moved).isPresent() ? after.currentServiceDeployment() : null;
        log.info("deployment started", "taskDefinition", moved, "from", before.taskDefinition(),
                "deploymentId", id, "serviceDeployment", serviceDeployment, "desiredCount", desiredCount,
                "previousDesiredCount", before.desiredCount());
        return new Rollout(id, moved, startedAt, deadlineAt, true, serviceDeployment, desiredCount, 0,
                Revisions.same(moved, taskDefinition) ? null : taskDefinition);
    }

    private record Moved(ServiceState service, String revision) {
    }

    /**
     * UpdateService to {@code revision}; when ECS refuses it because the revision was deregistered, to a copy of it
     * registered now (a starter built without the task definitions lets the refusal through).
     */
    private Moved update(String cluster, String service, String revision, Integer desiredCount, StepLog log) {
        try {
            return new Moved(ecs.update(cluster, service, revision, desiredCount), revision);
        } catch (AwsFailureException refused) {
            TaskDefinition copy = copyIfInactive(revision).orElseThrow(() -> refused);
            log.warn("the revision was deregistered: moving the service to a copy of it", "copyOf", revision,
                    "taskDefinition", copy.arn(), "refused", refused.getMessage());
            return new Moved(ecs.update(cluster, service, copy.arn(), desiredCount), copy.arn());
        }
    }

    /** The service's revision when it is a copy of {@code revision} this starter registered (read only off the expected path). */
    private Optional<String> copyRunning(ServiceState state, String revision) {
        if (revisions == null || state.taskDefinition() == null) {
            return Optional.empty();
        }
        return revisions.find(state.taskDefinition())
                .filter(td -> RevisionChange.isCopyOf(td, revision))
                .map(TaskDefinition::arn);
    }

    /**
     * An ACTIVE copy of {@code revision} when it is not ACTIVE (deregistered, or deleted) and this starter has the task
     * definitions; else empty. A copy registered before is taken again: RegisterTaskDefinition's of a live revision that was
     * not ACTIVE (the one way back once ECS deleted the original), or an earlier attempt's (its move failed and the step
     * is retried). Otherwise one is registered now, while ECS still describes the original.
     */
    private Optional<TaskDefinition> copyIfInactive(String revision) {
        if (revisions == null) {
            return Optional.empty();
        }
        Optional<TaskDefinition> original = revisions.find(revision);
        if (original.isPresent() && original.get().active()) {
            return Optional.empty();
        }
        return revisions.keptCopy(revision, COPY_LOOKBACK).or(() -> original.map(td -> revisions.register(RevisionChange.copyOf(td))));
    }

    /**
     * {@link #moveTo} onto a revision nobody has verified yet (the start of a rollout), with the lock checked
     * again once UpdateService has answered. A request that lost the lock while its move was in flight (the
     * reconciler took its stopped run over, and may have looked at the service before the move landed) does
     * not keep the move: with {@code undoWhenCutOff} (the template's RollBackStoppedRuns) the service goes back
     * to {@code from} if it is still on the revision, else it is left moving; either way the step is interrupted.
     * A rollback's move is never undone (its revision was live before; {@code from} is the one it takes the service off).
     */
    public Rollout deploy(DeployRequest request, String taskDefinition, String from, Integer desiredCount, boolean undoWhenCutOff,
                          StepLog log) {
        Rollout rollout = moveTo(request, taskDefinition, from, desiredCount, log);
        if (!rollout.started() || ownership.holds(request)) {
            return rollout;
        }
        String cluster = request.cluster();
        String service = request.service();
        boolean rollback = !undoable(request);
        String left;
        if (!undoWhenCutOff || from == null || rollback) {
            left = "it is left moving to " + Revisions.shortName(taskDefinition)
                    + (rollback ? " (a rollback's move is not undone)" : undoWhenCutOff ? "" : " (RollBackStoppedRuns is off)");
        } else {
            ServiceState now = describe(cluster, service);
            if (now.isOn(taskDefinition)) {
                Moved back = update(cluster, service, from, desiredCount == null ? null : request.previousDesiredCount(), log);
                left = "it was moved back to " + Revisions.shortName(back.revision());
            } else {
                left = "it is on " + Revisions.shortName(now.taskDefinition()) + " now and left there";
            }
        }
        log.warn("lost the lock while moving the service", "taskDefinition", taskDefinition, "from", from, "undone", undoWhenCutOff && !rollback);
        throw new RunInterruptedException("request " + request.requestId() + " lost the lock of " + request.serviceKey()
                + " while moving it to " + Revisions.shortName(taskDefinition) + " (its run ended and was taken over): " + left);
    }

    /**
     * Whether a move of the request may be undone once its run is cut off: never a rollback's (its revision was live
     * before; undoing it would restore the revision it takes the service off).
     */
    public static boolean undoable(DeployRequest request) {
        return request.action() != Action.ROLLBACK;
    }

    ServiceState describe(String cluster, String service) {
        return ecs.require(cluster, service);
    }

    private static Optional<Deployment> primaryOn(ServiceState state, String taskDefinition) {
        return state.primary().filter(d -> Revisions.same(d.taskDefinition(), taskDefinition));
    }
}
