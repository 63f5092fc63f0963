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

    public Health {
        alarms = alarms == null ? List.of() : List.copyOf(alarms);
    }

    /** Without alarms. */
    public Health(String smokeUrl, int expectedStatus, int bakeSeconds, int deadlineSeconds) {
        this(smokeUrl, expectedStatus, bakeSeconds, deadlineSeconds, List.of());
    }
}
