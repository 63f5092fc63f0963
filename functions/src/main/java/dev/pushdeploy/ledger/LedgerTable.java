package dev.pushdeploy.ledger;

import java.util.Optional;

/** The ledger table with its conditional writes: locks, waiters, history. Every write is safe to repeat. */
public interface LedgerTable extends LedgerReader {
    /** The next number of the service's arrival sequence (atomic; strictly increasing; gaps allowed). */
    long nextArrival(String serviceKey);

    /**
     * The newest place that took the service's lock to change its image (any action but a ROTATE), if any did: the
     * service's high-water mark, kept after its run ended.
     */
    Optional<Place> highWater(String serviceKey);

    /** Raises the service's high-water mark to {@code place}, unless it is at or after it already. */
    void raiseHighWater(String serviceKey, Place place);

    /**
     * Creates the waiter or refreshes it: an existing waiter keeps its orderAt, arrival and registeredAt and
     * gets the new expiresAt. Returns the stored waiter.
     */
    WaiterItem registerWaiter(String serviceKey, WaiterItem waiter);

    /**
     * Stores the task token of the request's wait for its turn on its waiter item; false when the request has
     * no waiter item (it left the queue meanwhile).
     */
    boolean setTurnToken(String serviceKey, String requestId, String token);

    /** Deletes the request's waiter item if there is one. */
    void removeWaiter(String serviceKey, String requestId);

    /**
     * Puts the lock if it is absent, expired at {@code nowSeconds}, already held by the same request, or
     * held by {@code endedHolder} (a holder whose execution is over; null for none).
     */
    boolean tryLock(String serviceKey, LockItem lock, long nowSeconds, String endedHolder);

    /** Moves the lease of the lock to {@code expiresAt} if {@code holder} holds it; false when it does not. */
    boolean renewLock(String serviceKey, String holder, long expiresAt);

    /**
     * Marks the lock {@code closing} if {@code holder} holds it: the reconciler takes an ended run over before it
     * looks at the service. True when {@code holder} holds it (marked now or before).
     */
    boolean closeLock(String serviceKey, String holder);

    /**
     * Keeps the lock of {@code holder}'s ended run until {@code untilSeconds}: closing, {@link LockItem#kept kept}, its lease
     * then. False when {@code holder} does not hold it.
     */
    boolean keepLock(String serviceKey, String holder, long untilSeconds);

    /** Deletes the lock if {@code holder} holds it and it is not {@link LockItem#kept kept}; does nothing otherwise. */
    void releaseLock(String serviceKey, String holder);

    Optional<HistoryItem> history(String serviceKey, String sortKey);

    /** Writes the history item unless one with its key exists; false when it existed. */
    boolean putHistory(String serviceKey, HistoryItem item);

    /**
     * Completes another run's record when a later request undid that run: replaces the record with
     * {@code completed} (same sort key, {@code undoneBy} set) if it exists and nobody completed it yet; false
     * otherwise.
     */
    boolean completeHistory(String serviceKey, HistoryItem completed);

    /**
     * Sets the record's {@code published} flag if it is not already so: claiming the notification before
     * sending it ({@code true}) and giving the claim back when sending failed ({@code false}). False when
     * the flag already had the value, so of two concurrent claims exactly one wins.
     */
    boolean setPublished(String serviceKey, String sortKey, boolean published);
}
