package dev.pushdeploy.rollout;

import dev.pushdeploy.config.Health;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.release.TaskDefinitions;
import java.time.Clock;
import java.util.Optional;

/**
 * Takes a service back to the revision that was live before the request.
 *
 * <p>For a traffic-shifting strategy whose deployment is still under way, ECS is asked to roll it
 * back (StopServiceDeployment, stop type ROLLBACK): production traffic returns at once to the old
 * revision, which still runs, instead of a new deployment of it going through every stage again.
 * When ECS is rolling back already, nothing is asked. Either way the way back is that service deployment's
 * rollback, and the rollback's rollout records its ARN. Otherwise — a rolling service, or a
 * deployment that already finished — the service is moved back with UpdateService
 * ({@link DeploymentStarter}), which does nothing when it is there already. A first release always goes back
 * that way, to the count the service had before it (the stack's bootstrap revision runs none: no traffic to
 * return to), also when ECS took the revision back already. A revision deregistered since it was live is registered
 * again and the service moved to the copy.
 */
public final class RollbackStarter {
    private final ServiceDeployments deployments;
    private final DeploymentStarter.Ownership ownership;
    private final DeploymentStarter starter;
    private final Clock clock;

    /** @param revisions where a revision deregistered meanwhile is registered again for the way back (see {@link DeploymentStarter}) */
    public RollbackStarter(EcsServices ecs, ServiceDeployments deployments, DeploymentStarter.Ownership ownership,
                           TaskDefinitions revisions, Clock clock) {
        this.deployments = deployments;
        this.ownership = ownership;
        this.starter = new DeploymentStarter(ecs, ownership, revisions, clock);
        this.clock = clock;
    }

    /**
     * @param rollout the deployment that is being undone; null when the request failed before one started
     * @param ours    the revision the request deployed: the service is moved back only from it (null: from anywhere)
     */
    public Rollout rollBack(DeployRequest request, Rollout rollout, String ours, StepLog log) {
        String cluster = request.cluster();
        String service = request.service();
        String previous = request.previousTaskDefinition();
        ServiceState state = starter.describe(cluster, service);
        if (rollout != null && !Revisions.same(rollout.taskDefinition(), previous) && request.previousDesiredCount() == null
                && state.strategy().shiftsTraffic()) {
            Optional<ServiceDeploymentState> found = deployments.find(cluster, service, rollout.taskDefinition(), rollout.startedAt());
            if (found.isPresent() && (found.get().inProgress() || found.get().rollingBack())) {
                ServiceDeploymentState d = found.get();
                boolean stopped = d.inProgress() && ownership.holds(request) && deployments.rollBack(d.arn());
                if (stopped || d.rollingBack()) {
                    log.info(stopped ? "asked ECS to roll the deployment back" : "ECS is rolling the deployment back already",
                            "serviceDeployment", d.arn(), "stage", d.stage(), "to", previous);
                    long now = clock.millis();
                    int deadline = request.deadlineSeconds() > 0 ? request.deadlineSeconds() : Health.DEFAULT.deadlineSeconds();
                    return new Rollout(null, previous, now, now + 1000L * deadline, stopped, d.arn(), keptAtZero(request, state));
                }
            }
        }
        Integer count = request.previousDesiredCount() != null ? request.previousDesiredCount() : keptAtZero(request, state);
        return starter.moveTo(request, previous, ours, count, state, log);
    }

    /**
     * 0 when the service was scaled to 0 tasks during the run (the way back keeps that count, and is done once the
     * service runs nothing); else null, the service's count kept as it is.
     */
    private static Integer keptAtZero(DeployRequest request, ServiceState state) {
        return request.previousDesiredCount() == null && state.desiredCount() != null && state.desiredCount() == 0 ? 0 : null;
    }
}
