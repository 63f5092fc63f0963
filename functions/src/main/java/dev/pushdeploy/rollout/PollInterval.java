package dev.pushdeploy.rollout;

import java.time.Duration;

/**
 * How long the state machine waits before the next check (detection latency).
 *
 * <p>The wait is a twelfth of the rollout's age, between {@value #MIN_SECONDS} and
 * {@value #MAX_SECONDS} seconds: 3 s for the first 36 s and 5 s at one minute — when image pull
 * errors and crashing containers show up — then slower (10 s at two minutes, 30 s from six
 * minutes on). So the time between a final state and its detection stays under ~8% of the
 * rollout's age (at most 5 s in the first minute, where a fixed 15 s waiter loses up to 15 s),
 * while a 15-minute rollout costs about as many checks as that waiter (~60).
 * While only the last step is outstanding (all desired tasks run; waiting on target health,
 * rolloutState COMPLETED or the smoke check) the wait is at most {@value #SETTLING_SECONDS} s,
 * because HEALTHY is then imminent. The wait never overshoots the deadline by more than 1 s,
 * so TIMED_OUT is noticed on time.
 */
public final class PollInterval {
    public static final int MIN_SECONDS = 3;
    public static final int MAX_SECONDS = 30;
    public static final int SETTLING_SECONDS = 5;
    static final int AGE_DIVISOR = 12;

    private PollInterval() {
    }

    /**
     * @param elapsed   time since the rollout started
     * @param remaining time until its deadline
     * @param settling  whether all desired tasks already run and only health is outstanding
     */
    public static int nextPollSeconds(Duration elapsed, Duration remaining, boolean settling) {
        long age = Math.max(0, elapsed.toSeconds());
        long wait = Math.clamp(age / AGE_DIVISOR, MIN_SECONDS, MAX_SECONDS);
        if (settling) {
            wait = Math.min(wait, SETTLING_SECONDS);
        }
        long untilDeadline = Math.max(0, remaining.toSeconds()) + 1;
        return (int) Math.max(1, Math.min(wait, untilDeadline));
    }
}
