package dev.pushdeploy.rollout;

/** The ECS service calls: what a service runs, and moving it to a revision. */
public interface EcsServices extends ServiceReader {
    /**
     * UpdateService to a task definition revision, and to {@code desiredCount} tasks unless it is null (the
     * service keeps its count); answers the service as UpdateService returned it.
     */
    ServiceState update(String cluster, String service, String taskDefinition, Integer desiredCount);

    /** UpdateService to a task definition revision; the service keeps its desired count. */
    default ServiceState update(String cluster, String service, String taskDefinition) {
        return update(cluster, service, taskDefinition, null);
    }
}
