package dev.pushdeploy.local.ecs;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Injected ECS API throttling. A call is one SDK invocation (its retries share the
 * {@code amz-sdk-invocation-id} header): the first {@code attemptsPerCall} attempts of every call
 * are throttled, so the SDK's own retries absorb them, and every {@code exhaustEvery}-th call is
 * throttled on all of its attempts, so the handler fails with a TransientException and the
 * state machine's Retry must absorb it.
 */
public final class Throttling {
    private static final Pattern ATTEMPT = Pattern.compile("attempt=(\\d+)");
    private static final int REMEMBERED_CALLS = 10_000;

    private final int attemptsPerCall;
    private final int exhaustEvery;
    private final Map<String, Integer> calls = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            return size() > REMEMBERED_CALLS;
        }
    };
    private int callCount;
    private int throttled;

    /**
     * @param attemptsPerCall how many first attempts of each call are throttled (0 for none)
     * @param exhaustEvery    every n-th call is throttled on all attempts (0 for never)
     */
    public Throttling(int attemptsPerCall, int exhaustEvery) {
        if (attemptsPerCall < 0 || exhaustEvery < 0) {
            throw new IllegalArgumentException("throttling settings must not be negative");
        }
        this.attemptsPerCall = attemptsPerCall;
        this.exhaustEvery = exhaustEvery;
    }

    /** No throttling. */
    public static Throttling off() {
        return new Throttling(0, 0);
    }

    /** Whether this attempt is answered with ThrottlingException. */
    synchronized boolean throttle(String invocationId, String attemptHeader) {
        if (attemptsPerCall == 0 && exhaustEvery == 0) {
            return false;
        }
        int call = invocationId == null ? ++callCount : calls.computeIfAbsent(invocationId, k -> ++callCount);
        int attempt = 1;
        if (attemptHeader != null) {
            Matcher m = ATTEMPT.matcher(attemptHeader);
            if (m.find()) {
                attempt = Integer.parseInt(m.group(1));
            }
        }
        boolean answer = (exhaustEvery > 0 && call % exhaustEvery == 0) || attempt <= attemptsPerCall;
        if (answer) {
            throttled++;
        }
        return answer;
    }

    /** How many attempts were throttled so far. */
    public synchronized int throttled() {
        return throttled;
    }
}
