package dev.pushdeploy.ledger;

/** Wakes a workflow that waits for its turn at a service's lock (WaitForLock, a task token). */
public interface LockTurns {
    /**
     * Ends the wait of the task holding {@code token}, so that its workflow asks for the lock again.
     *
     * @return false when the token no longer waits (the task timed out, was woken already, or its execution ended)
     */
    boolean wake(String token);
}
