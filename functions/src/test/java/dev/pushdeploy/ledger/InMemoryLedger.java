package dev.pushdeploy.ledger;

import dev.pushdeploy.model.Outcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** {@link LedgerTable} in memory, with the same conditional semantics as {@link DynamoLedger}. */
public final class InMemoryLedger implements LedgerTable {
    public final Map<String, LockItem> locks = new ConcurrentHashMap<>();
    public final Map<String, Map<String, WaiterItem>> waiters = new ConcurrentHashMap<>();
    public final Map<String, TreeMap<String, HistoryItem>> history = new ConcurrentHashMap<>();

    @Override
    public synchronized Optional<LockItem> lock(String serviceKey) {
        return Optional.ofNullable(locks.get(serviceKey));
    }

    @Override
    public synchronized List<WaiterItem> waiters(String serviceKey) {
        return List.copyOf(waiters.getOrDefault(serviceKey, Map.of()).values());
    }

    @Override
    public synchronized Optional<HistoryItem> latestSucceeded(String serviceKey) {
        return history.getOrDefault(serviceKey, new TreeMap<>()).descendingMap().values().stream()
                .filter(h -> h.outcome() == Outcome.SUCCEEDED).findFirst();
    }

    @Override
    public synchronized WaiterItem registerWaiter(String serviceKey, WaiterItem waiter) {
        Map<String, WaiterItem> queue = waiters.computeIfAbsent(serviceKey, k -> new ConcurrentHashMap<>());
        WaiterItem existing = queue.get(waiter.requestId());
        WaiterItem stored = existing == null ? waiter
                : new WaiterItem(waiter.requestId(), waiter.action(), waiter.digest(), waiter.image(),
                        existing.orderAt(), existing.registeredAt(), waiter.expiresAt());
        queue.put(waiter.requestId(), stored);
        return stored;
    }

    @Override
    public synchronized void removeWaiter(String serviceKey, String requestId) {
        waiters.getOrDefault(serviceKey, new ConcurrentHashMap<>()).remove(requestId);
    }

    @Override
    public synchronized boolean tryLock(String serviceKey, LockItem lock, long nowSeconds) {
        LockItem current = locks.get(serviceKey);
        if (current == null || current.expiresAt() < nowSeconds || current.holder().equals(lock.holder())) {
            locks.put(serviceKey, lock);
            return true;
        }
        return false;
    }

    @Override
    public synchronized void releaseLock(String serviceKey, String holder) {
        LockItem current = locks.get(serviceKey);
        if (current != null && current.holder().equals(holder)) {
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
    public synchronized void markPublished(String serviceKey, String sortKey) {
        history.get(serviceKey).computeIfPresent(sortKey, (k, h) -> new HistoryItem(h.sortKey(), h.requestId(), h.action(),
                h.source(), h.outcome(), h.reason(), h.image(), h.digest(), h.tag(), h.taskDefinition(),
                h.previousTaskDefinition(), h.releaseTaskDefinition(), h.deploymentId(), h.secretSlots(), h.deregistered(),
                h.warnings(), h.finishedAt(), true));
    }

    /** All history items of a service, oldest first. */
    public synchronized List<HistoryItem> historyOf(String serviceKey) {
        List<HistoryItem> items = new ArrayList<>(history.getOrDefault(serviceKey, new TreeMap<>()).values());
        items.sort(Comparator.comparing(HistoryItem::sortKey));
        return items;
    }
}
