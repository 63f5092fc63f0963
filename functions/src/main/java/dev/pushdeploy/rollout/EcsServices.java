package dev.pushdeploy.rollout;

import java.util.Optional;

/** The ECS service calls: what a service runs, and moving it to a revision. */
public interface EcsServices {
    /** DescribeServices for one service; empty when the cluster or the service does not exist or is not ACTIVE. */
    Optional<ServiceState> describe(String cluster, String service);

    /** UpdateService to a task definition revision; answers the service as UpdateService returned it. */
    ServiceState update(String cluster, String service, String taskDefinition);
}
