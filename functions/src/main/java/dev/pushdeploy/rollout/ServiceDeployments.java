package dev.pushdeploy.rollout;

import java.util.Optional;

/** ECS's service deployments API: what a service deployment does, and stopping it with a rollback. */
public interface ServiceDeployments {
    /**
     * The newest service deployment of the service that targets {@code taskDefinition} and started
     * at or after {@code sinceMillis}; empty when there is none (yet).
     */
    Optional<ServiceDeploymentState> find(String cluster, String service, String taskDefinition, long sinceMillis);

    /** One service deployment by ARN; empty when ECS does not know it. */
    Optional<ServiceDeploymentState> describe(String serviceDeploymentArn);

    /**
     * StopServiceDeployment with stop type ROLLBACK: ECS moves traffic back to the source revision.
     *
     * @return false when the service deployment was no longer in progress (nothing was stopped)
     */
    boolean rollBack(String serviceDeploymentArn);
}
