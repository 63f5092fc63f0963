package dev.pushdeploy.config;

/**
 * Whether ECS can replace a service's tasks under a rolling deployment's limits: it may run at most
 * {@code maximumPercent} of the desired count, rounded down, and must keep {@code minimumHealthyPercent} of it running,
 * rounded up (ECS's deployment configuration). Unless it may start a task beyond the desired count or stop one below
 * it, a rollout replaces no task and runs into its deadline.
 */
public final class RollingLimits {
    private RollingLimits() {
    }

    /** Null when a rollout can proceed; otherwise why it cannot. */
    public static String stall(int desiredCount, int minimumHealthyPercent, int maximumPercent) {
        long most = (long) desiredCount * maximumPercent / 100;
        long kept = ((long) desiredCount * minimumHealthyPercent + 99) / 100;
        if (most > desiredCount || kept < desiredCount) {
            return null;
        }
        return "with " + desiredCount + " desired task(s) ECS may run at most " + most + " (maximumPercent " + maximumPercent
                + ", rounded down) and must keep " + kept + " running (minimumHealthyPercent " + minimumHealthyPercent
                + ", rounded up): a rolling deployment can neither start a new task nor stop an old one, so it replaces none";
    }
}
