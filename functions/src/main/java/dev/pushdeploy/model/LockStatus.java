package dev.pushdeploy.model;

/** Answer of the lock step. */
public enum LockStatus {
    ACQUIRED,
    /** Another request holds the lock; wait and ask again. */
    WAITING,
    /** A newer push for the same service is waiting: this one ends SUPERSEDED. */
    SUPERSEDED,
    /** The same digest is already being deployed for the service: IGNORED. */
    DUPLICATE,
    /** The request waited for the lock longer than any holder can keep it: FAILED. */
    TIMED_OUT
}
