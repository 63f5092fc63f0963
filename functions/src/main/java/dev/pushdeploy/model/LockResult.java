package dev.pushdeploy.model;

/**
 * Output of the lock step ({@code $.lock}).
 *
 * @param nextPollSeconds for WAITING, how long the state machine waits before asking again; 0 otherwise
 * @param arrival         the request's place in the service's arrival sequence (ties of push time go to the later
 *                        arrival); 0 when it never queued
 */
public record LockResult(LockStatus status, String holder, String reason, int nextPollSeconds, long arrival) {
    /** An answer that needs no further wait, for a request that never queued. */
    public LockResult(LockStatus status, String holder, String reason) {
        this(status, holder, reason, 0, 0);
    }
}
