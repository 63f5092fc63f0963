package dev.pushdeploy.model;

/**
 * When a workflow's wait (a task that stores its token for an event, then looks once itself) has a look that could not
 * observe what it waits for (throttling beyond the SDK's retries, a call cut off by its bound) looked at again soon,
 * rather than waited out as a lost event: the event may have come already. The registration's look is thrown for the
 * task's Retry {@value #RETRIES} times per wait ({@code $$.State.RetryCount}), the Retry's whole schedule, and only within
 * {@value #SECONDS} s of the wait's start ({@code $$.State.EnteredTime}), so that looks that fail slowly are not repeated
 * for long; an event's look resumes the workflow to wait again while the watch's wait has retries left. After that the
 * task waits, as for a lost event, and an event's look fails, for EventBridge to deliver the event again: never thrown
 * past the Retry to its Catch, which would wait again at once. A run is resumed so at most {@value #EVENT_RESUMES} times
 * for its rollout and as often for its scan, since each resume starts a new wait with retries of its own and how many
 * events come is not the run's to say (a stopped task each; a scan of any image of the repository, Inspector's rescans).
 */
public final class QuickRetry {
    /** How many times per wait: the wait task's Retry's MaxAttempts for a TransientException. */
    public static final int RETRIES = 6;
    /** How long after its wait began a registration's look is retried soon. */
    public static final int SECONDS = 90;
    /** How many times in a run an event's look that could not observe resumes the workflow to wait again, per kind of wait. */
    public static final int EVENT_RESUMES = 6;

    private QuickRetry() {
    }

    /** Whether the registration's look that could not observe is thrown for the task's Retry. */
    public static boolean registration(int retries, long waitedMillis) {
        return event(retries) && waitedMillis < SECONDS * 1000L;
    }

    /** Whether an event's look that could not observe resumes the wait, whose watch was stored after {@code retries}. */
    public static boolean event(int retries) {
        return retries < RETRIES;
    }
}
