package dev.pushdeploy.rollout;

import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.config.Health;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.Revisions;
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
 * <p>The deployment id recorded is the PRIMARY deployment's when it runs the revision (from the
 * UpdateService answer, else one DescribeServices re-read). An emulator that creates no
 * deployment leaves it null; CheckDeployment then identifies the deployment by revision.
 */
public final class DeploymentStarter {
    private final EcsServices ecs;
    private final Clock clock;

    public DeploymentStarter(EcsServices ecs, Clock clock) {
        this.ecs = ecs;
        this.clock = clock;
    }

    public Rollout moveTo(String cluster, String service, String taskDefinition, int deadlineSeconds, StepLog log) {
        long startedAt = clock.millis();
        long deadlineAt = startedAt + 1000L * (deadlineSeconds > 0 ? deadlineSeconds : Health.DEFAULT.deadlineSeconds());
        ServiceState before = describe(cluster, service);
        if (before.isOn(taskDefinition)) {
            String id = primaryOn(before, taskDefinition).map(Deployment::id).orElse(null);
            log.info("service already on the revision; no new deployment", "taskDefinition", taskDefinition,
                    "deploymentId", id);
            return new Rollout(id, taskDefinition, startedAt, deadlineAt, false);
        }
        ServiceState after = ecs.update(cluster, service, taskDefinition);
        Optional<Deployment> ours = primaryOn(after, taskDefinition)
                .or(() -> primaryOn(describe(cluster, service), taskDefinition));
        String id = ours.map(Deployment::id).orElse(null);
        log.info("deployment started", "taskDefinition", taskDefinition, "from", before.taskDefinition(),
                "deploymentId", id);
        return new Rollout(id, taskDefinition, startedAt, deadlineAt, true);
    }

    private ServiceState describe(String cluster, String service) {
        return ecs.describe(cluster, service).orElseThrow(() -> new AwsFailureException(
                "ecs:DescribeServices " + cluster + "/" + service + ": the service does not exist or is not ACTIVE", null));
    }

    private static Optional<Deployment> primaryOn(ServiceState state, String taskDefinition) {
        return state.primary().filter(d -> Revisions.same(d.taskDefinition(), taskDefinition));
    }
}
