package dev.pushdeploy.ledger;

import java.util.Optional;

/** The ledger table with its conditional writes: locks, waiters, history. Every write is safe to repeat. */
public interface LedgerTable extends LedgerReader {
    /**
     * Creates the waiter or refreshes it: an existing waiter keeps its orderAt and registeredAt and gets
     * the new expiresAt. Returns the stored waiter.
     */
    WaiterItem registerWaiter(String serviceKey, WaiterItem waiter);

    /** Deletes the request's waiter item if there is one. */
    void removeWaiter(String serviceKey, String requestId);

    /** Puts the lock if it is absent, expired at {@code nowSeconds}, or already held by the same request. */
    boolean tryLock(String serviceKey, LockItem lock, long nowSeconds);

    /** Deletes the lock if {@code holder} holds it; does nothing otherwise. */
    void releaseLock(String serviceKey, String holder);

    Optional<HistoryItem> history(String serviceKey, String sortKey);

    /** Writes the history item unless one with its key exists; false when it existed. */
    boolean putHistory(String serviceKey, HistoryItem item);

    /** Records that the outcome of the history item was published. */
    void markPublished(String serviceKey, String sortKey);
}
