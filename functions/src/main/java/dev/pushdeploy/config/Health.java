package dev.pushdeploy.config;

import java.util.List;

/**
 * How a rollout is judged.
 *
 * @param smokeUrl        optional URL that must answer {@code expectedStatus}; null skips the smoke check
 * @param bakeSeconds     extra observation time after HEALTHY
 * @param deadlineSeconds time after which an unfinished rollout is TIMED_OUT
 * @param alarms          CloudWatch alarm names: any of them in ALARM during the rollout or the bake fails it
 */
public record Health(String smokeUrl, int expectedStatus, int bakeSeconds, int deadlineSeconds, List<String> alarms) {
    public static final Health DEFAULT = new Health(null, 200, 0, 900);
    /**
     * The longest rollout deadline: with it, the rollout and rollback loops, the lock and scan waits fit the
     * 25,000-event history of one execution (the template's DeploymentDeadlineSeconds stops here too).
     */
    public static final int MAX_DEADLINE_SECONDS = 3600;


    public Health {
        alarms = alarms == null ? List.of() : List.copyOf(alarms);
    }

    /** Without alarms. */
    public Health(String smokeUrl, int expectedStatus, int bakeSeconds, int deadlineSeconds) {
        this(smokeUrl, expectedStatus, bakeSeconds, deadlineSeconds, List.of());
    }
}
