package dev.pushdeploy.rollout;

import dev.pushdeploy.config.Strategy;
import dev.pushdeploy.model.Revisions;
import java.util.List;
import java.util.Optional;

/**
 * What DescribeServices (or UpdateService) says about one ECS service.
 *
 * @param taskDefinition             the revision the service converges to; ECS keeps it equal to the
 *                                   PRIMARY deployment's, and emulators that track no deployments (moto)
 *                                   still update it
 * @param events                     service event messages, newest first
 * @param strategy                   {@code deploymentConfiguration.strategy} (ROLLING when ECS names none)
 * @param alternateTargetGroupArns   the alternate target groups of the traffic-shifting strategies
 *                                   ({@code loadBalancers[].advancedConfiguration.alternateTargetGroupArn})
 * @param currentServiceDeployment   the ARN of the service's current service deployment; null when ECS names none
 * @param desiredCount               the service's {@code desiredCount}; null when unknown
 */
public record ServiceState(String taskDefinition, List<Deployment> deployments, List<String> targetGroupArns,
                           List<String> events, Strategy.Type strategy, List<String> alternateTargetGroupArns,
                           String currentServiceDeployment, Integer desiredCount) {
    public ServiceState {
        deployments = deployments == null ? List.of() : List.copyOf(deployments);
        targetGroupArns = targetGroupArns == null ? List.of() : List.copyOf(targetGroupArns);
        events = events == null ? List.of() : List.copyOf(events);
        strategy = strategy == null ? Strategy.Type.ROLLING : strategy;
        alternateTargetGroupArns = alternateTargetGroupArns == null ? List.of() : List.copyOf(alternateTargetGroupArns);
    }

    /** A service with the rolling strategy. */
    public ServiceState(String taskDefinition, List<Deployment> deployments, List<String> targetGroupArns, List<String> events) {
        this(taskDefinition, deployments, targetGroupArns, events, Strategy.Type.ROLLING, List.of());
    }

    /** A service whose desired count is unknown. */
    public ServiceState(String taskDefinition, List<Deployment> deployments, List<String> targetGroupArns,
                        List<String> events, Strategy.Type strategy, List<String> alternateTargetGroupArns,
                        String currentServiceDeployment) {
        this(taskDefinition, deployments, targetGroupArns, events, strategy, alternateTargetGroupArns, currentServiceDeployment, null);
    }

    /** A service whose current service deployment is unknown. */
    public ServiceState(String taskDefinition, List<Deployment> deployments, List<String> targetGroupArns,
                        List<String> events, Strategy.Type strategy, List<String> alternateTargetGroupArns) {
        this(taskDefinition, deployments, targetGroupArns, events, strategy, alternateTargetGroupArns, null, null);
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

    /** Every target group the service's tasks can be registered in: the primary ones and the alternates. */
    public List<String> allTargetGroupArns() {
        return java.util.stream.Stream.concat(targetGroupArns.stream(), alternateTargetGroupArns.stream()).distinct().toList();
    }
}
