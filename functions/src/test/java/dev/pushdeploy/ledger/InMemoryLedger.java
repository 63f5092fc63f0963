package dev.pushdeploy.ledger;

import dev.pushdeploy.model.Outcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** {@link LedgerTable} and {@link ReleaseRecords} in memory, with the same conditional semantics as {@link DynamoLedger}. */
public final class InMemoryLedger implements LedgerTable, ReleaseRecords {
    public final Map<String, ReleaseRecord> releases = new ConcurrentHashMap<>();
    public final Map<String, LockItem> locks = new ConcurrentHashMap<>();
    public final Map<String, Map<String, WaiterItem>> waiters = new ConcurrentHashMap<>();
    public final Map<String, TreeMap<String, HistoryItem>> history = new ConcurrentHashMap<>();
    private final Map<String, Long> arrivals = new ConcurrentHashMap<>();
    private final Map<String, Place> highWater = new ConcurrentHashMap<>();

    @Override
    public synchronized Optional<LockItem> lock(String serviceKey) {
        return Optional.ofNullable(locks.get(serviceKey));
    }

    @Override
    public synchronized List<WaiterItem> waiters(String serviceKey) {
        return List.copyOf(waiters.getOrDefault(serviceKey, Map.of()).values());
    }

    @Override
    public synchronized VerifiedRevisions verifiedRevisions(String serviceKey) {
        return new VerifiedRevisions(history.getOrDefault(serviceKey, new TreeMap<>()).descendingMap().values().stream()
                .filter(h -> h.verifiedTaskDefinition() != null)
                .map(h -> new VerifiedRevisions.Entry(
                        h.outcome() == Outcome.SUCCEEDED && h.action() != dev.pushdeploy.model.Action.ROLLBACK ? h.previousTaskDefinition() : null,
                        h.verifiedTaskDefinition()))
                .toList());
    }

    @Override
    public synchronized long nextArrival(String serviceKey) {
        return arrivals.merge(serviceKey, 1L, Long::sum);
    }

    @Override
    public synchronized Optional<Place> highWater(String serviceKey) {
        return Optional.ofNullable(highWater.get(serviceKey));
    }

    @Override
    public synchronized void raiseHighWater(String serviceKey, Place place) {
        highWater.merge(serviceKey, place, (held, raised) -> raised.orderAt() > held.orderAt()
                || (raised.orderAt() == held.orderAt() && raised.arrival() > held.arrival()) ? raised : held);
    }

    @Override
    public synchronized WaiterItem registerWaiter(String serviceKey, WaiterItem waiter) {
        Map<String, WaiterItem> queue = waiters.computeIfAbsent(serviceKey, k -> new ConcurrentHashMap<>());
        WaiterItem existing = queue.get(waiter.requestId());
        WaiterItem stored = existing == null ? waiter
                : new WaiterItem(waiter.requestId(), waiter.action(), waiter.digest(), waiter.image(),
                        existing.orderAt(), existing.arrival(), existing.registeredAt(), waiter.expiresAt(), existing.turnToken(),
                        existing.live() != null ? existing.live() : waiter.live());
        queue.put(waiter.requestId(), stored);
        return stored;
    }

    @Override
    public synchronized boolean setTurnToken(String serviceKey, String requestId, String token) {
        Map<String, WaiterItem> queue = waiters.getOrDefault(serviceKey, Map.of());
        WaiterItem w = queue.get(requestId);
        if (w == null) {
            return false;
        }
        queue.put(requestId, new WaiterItem(w.requestId(), w.action(), w.digest(), w.image(), w.orderAt(), w.arrival(),
                w.registeredAt(), w.expiresAt(), token, w.live()));
        return true;
    }

    @Override
    public synchronized void removeWaiter(String serviceKey, String requestId) {
        waiters.getOrDefault(serviceKey, new ConcurrentHashMap<>()).remove(requestId);
    }

    @Override
    public synchronized boolean tryLock(String serviceKey, LockItem lock, long nowSeconds, String endedHolder) {
        LockItem current = locks.get(serviceKey);
        if (current == null || current.expiresAt() < nowSeconds || current.holder().equals(lock.holder())
                || current.holder().equals(endedHolder)) {
            locks.put(serviceKey, lock);
            return true;
        }
        return false;
    }

    @Override
    public synchronized boolean renewLock(String serviceKey, String holder, long expiresAt) {
        LockItem current = locks.get(serviceKey);
        if (current == null || !current.holder().equals(holder)) {
            return false;
        }
        locks.put(serviceKey, new LockItem(current.holder(), current.executionArn(), current.action(), current.digest(),
                current.image(), current.orderAt(), current.arrival(), current.acquiredAt(), expiresAt, current.closing(), current.kept()));
        return true;
    }

    @Override
    public synchronized boolean closeLock(String serviceKey, String holder) {
        LockItem current = locks.get(serviceKey);
        if (current == null || !current.holder().equals(holder)) {
            return false;
        }
        locks.put(serviceKey, new LockItem(current.holder(), current.executionArn(), current.action(), current.digest(),
                current.image(), current.orderAt(), current.arrival(), current.acquiredAt(), current.expiresAt(), true, current.kept()));
        return true;
    }

    @Override
    public synchronized boolean keepLock(String serviceKey, String holder, long untilSeconds) {
        LockItem current = locks.get(serviceKey);
        if (current == null || !current.holder().equals(holder)) {
            return false;
        }
        locks.put(serviceKey, new LockItem(current.holder(), current.executionArn(), current.action(), current.digest(),
                current.image(), current.orderAt(), current.arrival(), current.acquiredAt(), untilSeconds, true, true));
        return true;
    }

    @Override
    public synchronized void releaseLock(String serviceKey, String holder) {
        LockItem current = locks.get(serviceKey);
        if (current != null && current.holder().equals(holder) && !current.kept()) {
            locks.remove(serviceKey);
        }
    }

    @Override
    public synchronized Optional<HistoryItem> history(String serviceKey, String sortKey) {
        return Optional.ofNullable(history.getOrDefault(serviceKey, new TreeMap<>()).get(sortKey));
    }

    @Override
    public synchronized boolean putHistory(String serviceKey, HistoryItem item) {
        return history.computeIfAbsent(serviceKey, k -> new TreeMap<>()).putIfAbsent(item.sortKey(), item) == null;
    }

    @Override
    public synchronized boolean setPublished(String serviceKey, String sortKey, boolean published) {
        HistoryItem item = history.getOrDefault(serviceKey, new TreeMap<>()).get(sortKey);
        if (item == null || item.published() == published) {
            return false;
        }
        history.get(serviceKey).put(sortKey, item.withPublished(published));
        return true;
    }

    @Override
    public synchronized boolean completeHistory(String serviceKey, HistoryItem completed) {
        HistoryItem item = history.getOrDefault(serviceKey, new TreeMap<>()).get(completed.sortKey());
        if (item == null || item.undoneBy() != null) {
            return false;
        }
        history.get(serviceKey).put(completed.sortKey(), completed);
        return true;
    }

    @Override
    public synchronized Optional<HistoryItem> recordOf(String serviceKey, String requestId) {
        return history.getOrDefault(serviceKey, new TreeMap<>()).descendingMap().values().stream()
                .limit(LedgerReader.HISTORY_LOOKBACK).filter(h -> requestId.equals(h.requestId())).findFirst();
    }

    /** All history items of a service, oldest first. */
    public synchronized List<HistoryItem> historyOf(String serviceKey) {
        List<HistoryItem> items = new ArrayList<>(history.getOrDefault(serviceKey, new TreeMap<>()).values());
        items.sort(Comparator.comparing(HistoryItem::sortKey));
        return items;
    }

    @Override
    public synchronized Optional<ReleaseRecord> release(String release) {
        return Optional.ofNullable(releases.get(release));
    }

    @Override
    public synchronized boolean putRelease(ReleaseRecord record) {
        return releases.putIfAbsent(record.release(), record) == null;
    }

    @Override
    public synchronized boolean setReleasePublished(String release, boolean published) {
        ReleaseRecord r = releases.get(release);
        if (r == null || r.published() == published) {
            return false;
        }
        releases.put(release, new ReleaseRecord(r.release(), r.outcome(), r.reason(), r.cause(), r.services(), r.execution(),
                r.recordedAt(), r.recordedBy(), published));
        return true;
    }
}
