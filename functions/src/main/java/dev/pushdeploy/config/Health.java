package dev.pushdeploy.config;

/**
 * How a rollout is judged.
 *
 * @param smokeUrl        optional URL that must answer {@code expectedStatus}; null skips the smoke check
 * @param bakeSeconds     extra observation time after HEALTHY
 * @param deadlineSeconds time after which an unfinished rollout is TIMED_OUT
 */
public record Health(String smokeUrl, int expectedStatus, int bakeSeconds, int deadlineSeconds) {
    public static final Health DEFAULT = new Health(null, 200, 0, 900);
    /**
     * The longest rollout deadline: with it, the rollout and rollback loops, the lock and scan waits fit the
     * 25,000-event history of one execution (the template's DeploymentDeadlineSeconds stops here too).
     */
    public static final int MAX_DEADLINE_SECONDS = 3600;
}
