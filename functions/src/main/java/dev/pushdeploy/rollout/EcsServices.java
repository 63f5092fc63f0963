package dev.pushdeploy.rollout;

/** The ECS service calls that start a rollout or a rollback. */
public interface EcsServices {
    /** DescribeServices for one service. */
    ServiceState describe(String cluster, String service);

    /** UpdateService to a task definition revision; answers the service as UpdateService returned it. */
    ServiceState update(String cluster, String service, String taskDefinition);
}
