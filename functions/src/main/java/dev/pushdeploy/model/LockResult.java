package dev.pushdeploy.model;

/**
 * Output of the lock step ({@code $.lock}).
 *
 * @param nextPollSeconds for WAITING, how long the state machine waits before asking again; 0 otherwise
 */
public record LockResult(LockStatus status, String holder, String reason, int nextPollSeconds) {
    /** An answer that needs no further wait. */
    public LockResult(LockStatus status, String holder, String reason) {
        this(status, holder, reason, 0);
    }
}
