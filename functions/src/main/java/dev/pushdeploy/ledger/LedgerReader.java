package dev.pushdeploy.ledger;

import java.util.List;
import java.util.Optional;

/** Reads of the ledger table: what Prepare may see (it never writes). Keys are {@code <cluster>/<service>}. */
public interface LedgerReader {
    /** How many of a service's newest history records are read for rollback targets, keep-N and lookups. */
    int HISTORY_LOOKBACK = 100;

    /** The service's lock item, expired or not (strongly consistent). */
    Optional<LockItem> lock(String serviceKey);

    /** The service's waiter items, expired or not (strongly consistent). */
    List<WaiterItem> waiters(String serviceKey);

    /** The revisions the service's newest history records saw healthy and live, newest record first. */
    VerifiedRevisions verifiedRevisions(String serviceKey);

    /** The history record of the request, among the service's newest {@link #HISTORY_LOOKBACK}. */
    Optional<HistoryItem> recordOf(String serviceKey, String requestId);
}
