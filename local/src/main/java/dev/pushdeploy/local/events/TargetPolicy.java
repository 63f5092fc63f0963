package dev.pushdeploy.local.events;

/**
 * How the failed deliveries of an event to one target are retried, and where the event goes once they are spent.
 * A function target is invoked asynchronously, so Lambda retries its errors by the function's EventInvokeConfig
 * (two retries, one and then two minutes apart) and sends an invocation record to its on-failure destination; any other
 * target is retried by EventBridge by the target's RetryPolicy (exponential back-off) and the event itself goes to its
 * DeadLetterConfig queue.
 *
 * @param function      whether the target is a function (Lambda's asynchronous retries) or not (EventBridge's)
 * @param retries       retries after the first attempt (MaximumRetryAttempts)
 * @param maxAgeSeconds no attempt is made later than this after the event was put (MaximumEventAgeInSeconds)
 * @param deadLetterArn the queue that receives what failed every attempt; null: it is dropped
 */
public record TargetPolicy(boolean function, int retries, long maxAgeSeconds, String deadLetterArn) {
    /** EventBridge's default RetryPolicy: "retries sending the event for 24 hours and up to 185 times". */
    public static final TargetPolicy EVENTBRIDGE = new TargetPolicy(false, 185, 86_400, null);
    /** Lambda's default for asynchronous invocations: two retries, events kept up to six hours. */
    public static final TargetPolicy LAMBDA = new TargetPolicy(true, 2, 21_600, null);
    /** Lambda waits one minute before the first retry and two before the second. */
    static final long[] LAMBDA_DELAYS_MILLIS = {60_000, 120_000};
    /** EventBridge's back-off: 1 s doubling, at most 5 minutes (its jitter left out, so runs repeat). */
    static final long FIRST_DELAY_MILLIS = 1_000;
    static final long MAX_DELAY_MILLIS = 300_000;

    /** The default for a target of this ARN. */
    public static TargetPolicy forTarget(String arn) {
        return isFunction(arn) ? LAMBDA : EVENTBRIDGE;
    }

    public static boolean isFunction(String arn) {
        return arn.contains(":lambda:") && arn.contains(":function:");
    }

    /** The wait before retry number {@code retry} (1 for the first). */
    long delayMillis(int retry) {
        if (function) {
            return LAMBDA_DELAYS_MILLIS[Math.min(retry, LAMBDA_DELAYS_MILLIS.length) - 1];
        }
        return Math.min(MAX_DELAY_MILLIS, FIRST_DELAY_MILLIS << Math.min(retry - 1, 20));
    }
}
