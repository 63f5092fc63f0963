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
}
