package dev.pushdeploy.rollout;

/** The ECS service calls: what a service runs, and moving it to a revision. */
public interface EcsServices extends ServiceReader {
    /** UpdateService to a task definition revision; answers the service as UpdateService returned it. */
    ServiceState update(String cluster, String service, String taskDefinition);
}
