package dev.pushdeploy.rollout;

/**
 * One entry of an ECS service's {@code deployments} list.
 *
 * @param status       PRIMARY (the revision the service converges to), ACTIVE (being drained) or INACTIVE
 * @param rolloutState IN_PROGRESS, COMPLETED or FAILED (null when ECS reports none)
 */
public record Deployment(
        String id,
        String status,
        String taskDefinition,
        String rolloutState,
        String rolloutStateReason,
        int runningCount,
        int desiredCount,
        int pendingCount,
        int failedTasks) {

    public static final String PRIMARY = "PRIMARY";
    public static final String COMPLETED = "COMPLETED";
    public static final String FAILED = "FAILED";

    public boolean isPrimary() {
        return PRIMARY.equals(status);
    }
}
