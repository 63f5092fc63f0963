package dev.pushdeploy.local.ecs;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Injected AWS API throttling (of ECS's calls by {@link EcsSimulator}, of ECR's by the ECR routes). A call is one SDK
 * invocation (its retries share the {@code amz-sdk-invocation-id} header): the first {@code attemptsPerCall} attempts of
 * every call are throttled, so the SDK's own retries absorb them, and every {@code exhaustEvery}-th call is
 * throttled on all of its attempts, so the handler fails with a TransientException and the
 * state machine's Retry must absorb it. An outage ({@link #outage}) throttles every attempt of the
 * first calls of one action instead, {@link #calls} of some of its calls.
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
    private final String action;
    /** Which calls of {@link #action} (counting from 1) are throttled on every attempt. */
    private final IntPredicate throttledCall;
    private int callCount;
    private int actionCalls;
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
        this.action = null;
        this.throttledCall = call -> false;
    }

    private Throttling(String action, IntPredicate throttledCall) {
        this.attemptsPerCall = 0;
        this.exhaustEvery = 0;
        this.action = action;
        this.throttledCall = throttledCall;
    }

    /**
     * Every attempt of the first {@code calls} calls of {@code action} (e.g. {@code ListTasks}) is
     * throttled, then the action answers again; {@link Integer#MAX_VALUE}: it never does.
     */
    public static Throttling outage(String action, int calls) {
        return outage(action, 0, calls);
    }

    /** As {@link #outage(String, int)}, starting after the first {@code after} calls of {@code action}, which answer. */
    public static Throttling outage(String action, int after, int calls) {
        if (action == null || calls < 1 || after < 0) {
            throw new IllegalArgumentException("an outage names an action, starts after zero or more calls and lasts at least one call");
        }
        return new Throttling(action, call -> call > after && call - after <= calls);
    }

    /** Every attempt of the given calls of {@code action} (counting from 1, e.g. 2 and 5) is throttled, the others answer. */
    public static Throttling calls(String action, int... calls) {
        if (action == null || calls.length == 0 || Arrays.stream(calls).anyMatch(call -> call < 1)) {
            throw new IllegalArgumentException("throttled calls name an action and one or more calls, counting from 1");
        }
        Set<Integer> throttled = Arrays.stream(calls).boxed().collect(Collectors.toUnmodifiableSet());
        return new Throttling(action, throttled::contains);
    }

    /** No throttling. */
    public static Throttling off() {
        return new Throttling(0, 0);
    }

    /** Whether this attempt of a call of {@code target} (the API's action) is answered with ThrottlingException. */
    public synchronized boolean throttle(String target, String invocationId, String attemptHeader) {
        if (action != null) {
            if (!action.equals(target)) {
                return false;
            }
            int call = invocationId == null ? ++actionCalls : calls.computeIfAbsent(invocationId, k -> ++actionCalls);
            boolean answer = throttledCall.test(call);
            if (answer) {
                throttled++;
            }
            return answer;
        }
        return throttle(invocationId, attemptHeader);
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
