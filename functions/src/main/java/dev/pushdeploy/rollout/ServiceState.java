package dev.pushdeploy.rollout;

import dev.pushdeploy.model.Revisions;
import java.util.List;
import java.util.Optional;

/**
 * What DescribeServices (or UpdateService) says about one ECS service.
 *
 * @param taskDefinition the revision the service converges to; ECS keeps it equal to the
 *                       PRIMARY deployment's, and emulators that track no deployments (moto)
 *                       still update it
 * @param events         service event messages, newest first
 */
public record ServiceState(String taskDefinition, List<Deployment> deployments, List<String> targetGroupArns,
                           List<String> events) {
    public ServiceState {
        deployments = deployments == null ? List.of() : List.copyOf(deployments);
        targetGroupArns = targetGroupArns == null ? List.of() : List.copyOf(targetGroupArns);
        events = events == null ? List.of() : List.copyOf(events);
    }

    public Optional<Deployment> primary() {
        return deployments.stream().filter(Deployment::isPrimary).findFirst();
    }

    /** Whether the service is set to this revision (a started or finished deployment of it). */
    public boolean isOn(String revision) {
        return Revisions.same(taskDefinition, revision);
    }

    /** The deployment running this revision: the PRIMARY one if it is, else any other. */
    public Optional<Deployment> deploymentOf(String revision) {
        return primary().filter(d -> Revisions.same(d.taskDefinition(), revision))
                .or(() -> deployments.stream().filter(d -> Revisions.same(d.taskDefinition(), revision)).findFirst());
    }
}
