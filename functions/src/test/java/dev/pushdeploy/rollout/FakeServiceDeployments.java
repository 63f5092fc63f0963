package dev.pushdeploy.rollout;

import dev.pushdeploy.model.Revisions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * ECS's service deployments in memory: added by the test, found by target revision and start time
 * as ECS lists them, stopped with a rollback (an IN_PROGRESS or PENDING one turns
 * ROLLBACK_REQUESTED; any other is not in progress, and nothing changes).
 */
public final class FakeServiceDeployments implements ServiceDeployments {
    private final List<ServiceDeploymentState> deployments = new ArrayList<>();
    public final List<String> stopped = new ArrayList<>();

    /** A service deployment of {@code taskDefinition} in {@code status}, started at {@code startedAt}. */
    public ServiceDeploymentState add(String taskDefinition, String status, String stage, long startedAt) {
        ServiceDeploymentState d = new ServiceDeploymentState(
                "arn:aws:ecs:us-east-1:123456789012:service-deployment/pushdeploy/web/sd" + (deployments.size() + 1),
                status, null, stage, "arn:aws:ecs:us-east-1:123456789012:service-revision/pushdeploy/web/" + (deployments.size() + 1),
                taskDefinition, 0.0, 0.0, null, List.of(), startedAt);
        deployments.add(d);
        return d;
    }

    @Override
    public Optional<ServiceDeploymentState> find(String cluster, String service, String taskDefinition, long sinceMillis) {
        return deployments.reversed().stream()
                .filter(d -> Revisions.same(d.targetTaskDefinition(), taskDefinition) && d.startedAt() >= sinceMillis - 60_000)
                .findFirst();
    }

    @Override
    public Optional<ServiceDeploymentState> describe(String serviceDeploymentArn) {
        return deployments.stream().filter(d -> d.arn().equals(serviceDeploymentArn)).findFirst();
    }

    @Override
    public boolean rollBack(String serviceDeploymentArn) {
        for (int i = 0; i < deployments.size(); i++) {
            ServiceDeploymentState d = deployments.get(i);
            if (d.arn().equals(serviceDeploymentArn) && d.inProgress()) {
                stopped.add(serviceDeploymentArn);
                deployments.set(i, new ServiceDeploymentState(d.arn(), "ROLLBACK_REQUESTED", "stop requested", d.stage(),
                        d.targetRevisionArn(), d.targetTaskDefinition(), d.productionPercent(), d.testPercent(),
                        null, d.triggeredAlarms(), d.startedAt()));
                return true;
            }
        }
        return false;
    }
}
