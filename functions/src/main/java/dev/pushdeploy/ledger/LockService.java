package dev.pushdeploy.ledger;

import dev.pushdeploy.model.LockResult;
import dev.pushdeploy.model.LockStatus;
import dev.pushdeploy.config.Health;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.DeployRequest;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One deployment per service at a time, the newest request winning the queue. Each call:
 * <ol>
 *   <li>if this request already holds the lock → ACQUIRED (a retry changes nothing);</li>
 *   <li>registers (or refreshes) the request's waiter item;</li>
 *   <li>a DEPLOY of a digest that another DEPLOY holds, or that an earlier-registered waiter
 *       queues → DUPLICATE;</li>
 *   <li>another live request (waiter or holder) ordered after this one → SUPERSEDED; a ROTATE
 *       only supersedes another ROTATE (it does not deploy an image; a DEPLOY rotates too);</li>
 *   <li>conditional put of the lock (absent, expired, or ours) → ACQUIRED, else WAITING.</li>
 * </ol>
 * Requests are ordered by {@code orderAt}: the push time for ECR pushes, the arrival time (first
 * registration) for manual executions, which are an operator's decision made now. Waiters leave
 * the queue on every answer but WAITING. Locks and waiters expire after the request's lease
 * (rollout deadline, rollback deadline, bake time, margin), so a crashed execution cannot block a
 * service for longer than that.
 */
public final class LockService {
    /** Added to a lease on top of the time a rollout and its rollback may take. */
    static final long MARGIN_SECONDS = 900;

    private final LedgerTable table;
    private final Clock clock;

    public LockService(LedgerTable table, Clock clock) {
        this.table = table;
        this.clock = clock;
    }

    public LockResult acquire(DeployRequest request) {
        if (request == null || request.serviceKey() == null || request.requestId() == null) {
            throw new InvalidRequestException("request", "names no service or request id to lock for");
        }
        String key = request.serviceKey();
        String me = request.requestId();
        long now = clock.millis();
        long nowSeconds = now / 1000;
        long expiresAt = nowSeconds + leaseSeconds(request);

        Optional<LockItem> lock = table.lock(key);
        if (lock.filter(l -> me.equals(l.holder())).isPresent()) {
            table.removeWaiter(key, me);
            return new LockResult(LockStatus.ACQUIRED, me, "this request already holds the lock of " + key);
        }
        long arrival = "ecr".equals(request.source()) && request.pushedAt() != null ? request.pushedAt() : now;
        WaiterItem mine = table.registerWaiter(key,
                new WaiterItem(me, request.action(), request.digest(), request.image(), arrival, now, expiresAt));
        List<WaiterItem> others = table.waiters(key).stream()
                .filter(w -> !me.equals(w.requestId()) && !w.expired(nowSeconds))
                .toList();
        Optional<LockItem> held = lock.filter(l -> !l.expired(nowSeconds));

        Optional<String> duplicateOf = duplicateOf(mine, held, others);
        if (duplicateOf.isPresent()) {
            table.removeWaiter(key, me);
            return new LockResult(LockStatus.DUPLICATE, held.map(LockItem::holder).orElse(null),
                    mine.digest() + " is already being deployed to " + key + " by request " + duplicateOf.get());
        }
        Optional<String> newer = newer(mine, held, others);
        if (newer.isPresent()) {
            table.removeWaiter(key, me);
            return new LockResult(LockStatus.SUPERSEDED, held.map(LockItem::holder).orElse(null),
                    "a newer request for " + key + " (" + newer.get() + ") supersedes this one");
        }
        LockItem claim = new LockItem(me, request.action(), request.digest(), request.image(), mine.orderAt(), now, expiresAt);
        if (table.tryLock(key, claim, nowSeconds)) {
            table.removeWaiter(key, me);
            return new LockResult(LockStatus.ACQUIRED, me, "acquired the lock of " + key);
        }
        String holder = table.lock(key).map(LockItem::holder).orElse(null);
        return new LockResult(LockStatus.WAITING, holder,
                holder == null ? key + " changed hands while asking; ask again" : key + " is locked by request " + holder);
    }

    /** Rollout deadline + rollback deadline + bake + margin. */
    static long leaseSeconds(DeployRequest request) {
        long deadline = request.deadlineSeconds() > 0 ? request.deadlineSeconds() : Health.DEFAULT.deadlineSeconds();
        return 2 * deadline + Math.max(0, request.bakeSeconds()) + MARGIN_SECONDS;
    }

    private static Optional<String> duplicateOf(WaiterItem mine, Optional<LockItem> held, List<WaiterItem> others) {
        if (mine.action() != Action.DEPLOY || mine.digest() == null) {
            return Optional.empty();
        }
        Optional<String> holder = held
                .filter(l -> l.action() == Action.DEPLOY && mine.digest().equals(l.digest()))
                .map(LockItem::holder);
        if (holder.isPresent()) {
            return holder;
        }
        return others.stream()
                .filter(w -> w.action() == Action.DEPLOY && mine.digest().equals(w.digest()) && w.precedes(mine))
                .map(WaiterItem::requestId)
                .findFirst();
    }

    private static Optional<String> newer(WaiterItem mine, Optional<LockItem> held, List<WaiterItem> others) {
        record Rival(String requestId, Action action, long orderAt) {
        }
        return Stream.concat(
                        held.map(l -> new Rival(l.holder(), l.action(), l.orderAt())).stream(),
                        others.stream().map(w -> new Rival(w.requestId(), w.action(), w.orderAt())))
                .filter(r -> r.orderAt() > mine.orderAt())
                .filter(r -> r.action() != Action.ROTATE || mine.action() == Action.ROTATE)
                .max(Comparator.comparingLong(Rival::orderAt))
                .map(Rival::requestId);
    }
}
