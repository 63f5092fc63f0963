package dev.pushdeploy.rollout;

/**
 * How long the workflow waits for ECS's events before it re-checks a rollout anyway (the
 * fallback, so a lost event only delays): the deadline cut into equal parts of at most
 * {@value #MAX_SECONDS} s, so the last re-check falls on the deadline and a rollout that never
 * finishes is TIMED_OUT on time.
 */
public final class RecheckInterval {
    public static final int MAX_SECONDS = 300;

    private RecheckInterval() {
    }

    /** The interval for a rollout with this deadline (seconds from its start). */
    public static int seconds(int deadlineSeconds) {
        int deadline = Math.max(1, deadlineSeconds);
        int parts = (deadline + MAX_SECONDS - 1) / MAX_SECONDS;
        return (deadline + parts - 1) / parts;
    }
}
