package dev.pushdeploy.ledger;

import dev.pushdeploy.config.Health;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.error.RunInterruptedException;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.LockResult;
import dev.pushdeploy.model.LockStatus;
import dev.pushdeploy.model.Rollout;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One deployment per service at a time, the newest request winning the queue. Each call:
 * <ol>
 *   <li>if this request already holds the lock → ACQUIRED, its lease granted anew (a retry, or the run prepared again
 *       after its service moved);</li>
 *   <li>registers (or refreshes) the request's waiter item; a new waiter takes the next number of the
 *       service's arrival sequence;</li>
 *   <li>a push's DEPLOY of a digest that another DEPLOY holds, or that an earlier-arrived waiter queues → DUPLICATE (a
 *       request made by hand or by a release waits instead: what is in flight may still roll back, and it asked for
 *       the image to be live, so it learns that from its own run);</li>
 *   <li>another live request (waiter or holder) placed after this one → SUPERSEDED; a ROTATE only
 *       supersedes another ROTATE (it does not deploy an image; a DEPLOY rotates too);</li>
 *   <li>a request placed after this one took the lock before, to change the image (the service's high-water mark,
 *       raised at every such acquisition by a run not yet recorded as ended) → SUPERSEDED: a push whose run starts only after a newer one's whole run
 *       (an event delivered late, retried or replayed) never meets it in the queue;</li>
 *   <li>conditional put of the lock (absent, expired, ours, or its holder's execution ended) → ACQUIRED;</li>
 *   <li>else WAITING, with the longest the workflow waits for its turn before it asks again by itself; past
 *       {@link #maxWaitSeconds} → TIMED_OUT.</li>
 * </ol>
 * A waiting workflow waits for its turn with a task token ({@link #awaitTurn}), stored on its waiter item. It is
 * woken ({@link LockTurns}) when the lock is freed or kept for an ended run ({@link #wakeWaiters}, after an
 * execution's end is reconciled)
 * and when a newer request that supersedes it joins the queue; a wake-up that is lost only delays until the
 * wait's own timeout, {@link #turnWaitSeconds}. A wait costs no state transitions, however long the holder keeps
 * the lock.
 * An answer that leaves the request queued or holding the lock is given only after its writes, once the
 * request's run is seen not yet recorded; if it is (its execution ended while this step was in flight, and
 * the reconciler closed its books), the waiter and the lock are taken back and the step fails. The closers
 * write the record before they release, and both are strongly consistent reads and conditional writes of one
 * table, so either their release follows these writes or this check sees the record: a stopped run never
 * stays queued or locked.
 * Requests are placed in a total order ({@link Place}): push time for ECR pushes, arrival time for
 * manual requests (an operator's decision made now), then arrival. Waiters leave the queue on every
 * answer but WAITING.
 *
 * <p>A lock the reconciler keeps for an ended run ({@link LockItem#closing}, until its last step has surely
 * ended) makes others wait until its lease runs out, but supersedes and duplicates nothing: its run is over.
 *
 * <p>The lock's lease follows the holder's progress: it is granted at acquisition, and again when a run prepared again
 * after its service moved asks, for {@link #FIRST_LEASE_SECONDS} (the steps up to that or to the first rollout check)
 * and renewed by
 * every rollout check ({@link Lease}) for the time until the next sign of progress plus
 * {@link #STEP_ALLOWANCE_SECONDS}, the longest the slowest chain of steps between two signs may take
 * with all its retries. A live holder therefore never loses it. A dead one loses it as soon as the
 * reconciler releases it (within a minute of the execution's end), else once its execution has been
 * over for {@link #RECLAIM_AFTER_SECONDS}, else when the lease runs out.
 */
public final class LockService {
    /** Longest time between two signs of a holder's progress (lock, rollout check), retries included. */
    public static final long STEP_ALLOWANCE_SECONDS = 4800;
    /**
     * The lease granted at acquisition: the steps up to the first rollout check, or up to the Lock of a run prepared again
     * after its service moved (its rotation, registration and start, then the preparation and the lock again).
     */
    public static final long FIRST_LEASE_SECONDS = 2 * STEP_ALLOWANCE_SECONDS;
    /** How long after its execution ended a holder's lock is taken over (the reconciler had its turn). */
    public static final long RECLAIM_AFTER_SECONDS = 300;
    /** A waiter that stops asking stops counting this long after its next call was due. */
    static final long WAITER_GRACE_SECONDS = 300;
    /** The shortest wait for a turn: the Lock function's own invocation (its task's timeout) fits in it. */
    public static final int MIN_TURN_WAIT_SECONDS = 75;
    /** The longest wait for a turn before the workflow asks again by itself: what a lost wake-up delays at most. */
    public static final int MAX_TURN_WAIT_SECONDS = 900;

    private final LedgerTable table;
    private final Executions executions;
    private final LockTurns turns;
    private final Clock clock;

    public LockService(LedgerTable table, Executions executions, LockTurns turns, Clock clock) {
        this.table = table;
        this.executions = executions;
        this.turns = turns;
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

        Optional<LockItem> lock = table.lock(key);
        if (lock.filter(l -> me.equals(l.holder()) && l.closing()).isPresent()) {
            throw new RunInterruptedException("request " + me + " was taken over as ended; its lock of " + key
                    + " is kept only until its last step has surely ended");
        }
        if (lock.filter(l -> me.equals(l.holder())).isPresent()) {
            if (!table.renewLock(key, me, nowSeconds + FIRST_LEASE_SECONDS)) {
                throw new RunInterruptedException("request " + me + " no longer holds the lock of " + key + "; the service is left as it is");
            }
            table.removeWaiter(key, me);
            raiseHighWater(key, lock.get());
            return new LockResult(LockStatus.ACQUIRED, me, "this request already holds the lock of " + key);
        }
        List<WaiterItem> queue = table.waiters(key);
        Optional<WaiterItem> registered = queue.stream().filter(w -> me.equals(w.requestId())).findFirst();
        long waited = registered.map(w -> Math.max(0, now - w.registeredAt()) / 1000).orElse(0L);
        int poll = turnWaitSeconds(lock, nowSeconds);
        long arrival = registered.map(WaiterItem::arrival).orElseGet(() -> table.nextArrival(key));
        // Whole seconds: a push's time has no finer grain, so within one second the arrival order decides, pushes and
        // requests by hand alike (a request by hand placed at its milliseconds overtook a push made later in its second).
        long orderAt = Math.floorDiv(request.fromPush() && request.pushedAt() != null ? request.pushedAt() : now, 1000L) * 1000L;
        WaiterItem mine = table.registerWaiter(key, new WaiterItem(me, request.action(), request.digest(), request.image(),
                orderAt, arrival, now, nowSeconds + poll + WAITER_GRACE_SECONDS, null, request.previousTaskDefinition()));
        List<WaiterItem> others = others(table.waiters(key), me, nowSeconds);
        Optional<LockItem> held = lock.filter(l -> !l.expired(nowSeconds));
        Optional<LockItem> live = held.filter(l -> !l.closing());

        Optional<String> duplicateOf = request.fromPush() ? duplicateOf(mine, live, others) : Optional.empty();
        if (duplicateOf.isPresent()) {
            table.removeWaiter(key, me);
            return new LockResult(LockStatus.DUPLICATE, held.map(LockItem::holder).orElse(null),
                    mine.digest() + " is already being deployed to " + key + " by request " + duplicateOf.get(), 0, mine.arrival());
        }
        Optional<String> newer = newer(mine, live, others);
        if (newer.isPresent()) {
            table.removeWaiter(key, me);
            return new LockResult(LockStatus.SUPERSEDED, held.map(LockItem::holder).orElse(null),
                    "a newer request for " + key + " (" + newer.get() + ") supersedes this one", 0, mine.arrival());
        }
        Optional<Place> overtaken = table.highWater(key).filter(mark -> mark.after(mine.place()));
        if (overtaken.isPresent()) {
            table.removeWaiter(key, me);
            return new LockResult(LockStatus.SUPERSEDED, held.map(LockItem::holder).orElse(null), "a newer request for " + key
                    + " (" + overtaken.get().requestId() + ", ordered at " + Instant.ofEpochMilli(overtaken.get().orderAt())
                    + ") took its lock already; this one, ordered at " + Instant.ofEpochMilli(mine.orderAt())
                    + ", does not deploy over it (to go back to its image, deploy it or roll back by hand: a request by hand is"
                    + " placed when it is made)", 0, mine.arrival());
        }
        wakeSuperseded(mine, others);
        LockItem claim = new LockItem(me, request.executionArn(), request.action(), request.digest(), request.image(),
                mine.orderAt(), mine.arrival(), now, nowSeconds + FIRST_LEASE_SECONDS);
        if (table.tryLock(key, claim, nowSeconds, endedHolder(held, nowSeconds))) {
            withdrawIfRecorded(request);
            raiseHighWater(key, claim);
            table.removeWaiter(key, me);
            return new LockResult(LockStatus.ACQUIRED, me, "acquired the lock of " + key
                    + held.map(h -> " (its holder " + h.holder() + " had ended)").orElse(""), 0, mine.arrival());
        }
        Optional<LockItem> blocking = table.lock(key);
        String holder = blocking.map(LockItem::holder).orElse(null);
        long maxWait = maxWaitSeconds(request);
        if (waited >= maxWait) {
            table.removeWaiter(key, me);
            return new LockResult(LockStatus.TIMED_OUT, holder, "waited " + waited + " s for the lock of " + key
                    + (holder == null ? "" : ", held by request " + holder) + ": longer than a holder can keep it (" + maxWait + " s)",
                    0, mine.arrival());
        }
        withdrawIfRecorded(request);
        String why = blocking.map(l -> l.closing()
                        ? key + " is kept by the ended request " + l.holder() + " until " + Instant.ofEpochSecond(l.expiresAt())
                          + ", when its last step has surely ended"
                        : key + " is locked by request " + l.holder())
                .orElse(key + " changed hands while asking; ask again");
        return new LockResult(LockStatus.WAITING, holder, why, turnWaitSeconds(blocking, nowSeconds), mine.arrival());
    }

    /**
     * The workflow's wait for its turn: stores its task token on the request's waiter item, then wakes it at once
     * if the lock is free by now (released since the request was told to wait), the request left the queue, or a newer
     * request that supersedes it is queued or holds the lock, so that no release and no newer arrival between the two
     * goes unheard: a later one finds the token. (A newer request that took the lock meanwhile wakes nobody until
     * its run ends, and then finds no trace of itself in the queue: unwoken, this request would take the lock after it
     * and deploy an older image over a newer one.)
     */
    public LockResult awaitTurn(DeployRequest request, String token) {
        if (request == null || request.serviceKey() == null || request.requestId() == null || token == null || token.isBlank()) {
            throw new InvalidRequestException("request", "names no service, request id or task token to wait for the lock with");
        }
        String key = request.serviceKey();
        boolean queued = table.setTurnToken(key, request.requestId(), token);
        Optional<LockItem> lock = table.lock(key);
        String holder = lock.map(LockItem::holder).orElse(null);
        long nowSeconds = clock.millis() / 1000;
        Optional<String> newer = queued ? newerThanMine(key, request.requestId(), lock, nowSeconds) : Optional.empty();
        if (queued && !free(lock, request.requestId(), nowSeconds) && newer.isEmpty()) {
            return new LockResult(LockStatus.WAITING, holder, "waiting for the turn at " + key + ", locked by request " + holder);
        }
        boolean woken = turns.wake(token);
        String why = !queued ? "the request left the queue of " + key
                : newer.map(n -> "a newer request for " + key + " (" + n + ") is queued or holds the lock").orElse(key + " is free");
        return new LockResult(LockStatus.WAITING, holder, why + (woken ? ": asks again now" : ": its wait had ended already"));
    }

    /** The newest live request that supersedes this queued one (as {@link #acquire} would find it), if any. */
    private Optional<String> newerThanMine(String key, String me, Optional<LockItem> lock, long nowSeconds) {
        List<WaiterItem> queue = table.waiters(key);
        Optional<WaiterItem> mine = queue.stream().filter(w -> me.equals(w.requestId())).findFirst();
        if (mine.isEmpty()) {
            return Optional.empty();
        }
        return newer(mine.get(), lock.filter(l -> !l.expired(nowSeconds) && !l.closing()), others(queue, me, nowSeconds));
    }

    /** Marks the place of a request that took the lock to change the image: no request placed before it takes it after. */
    private void raiseHighWater(String key, LockItem taken) {
        if (taken.action() != Action.ROTATE) {
            table.raiseHighWater(key, taken.place());
        }
    }

    /** The queue's waiters but {@code me} that still count at {@code nowSeconds}. */
    private static List<WaiterItem> others(List<WaiterItem> queue, String me, long nowSeconds) {
        return queue.stream().filter(w -> !me.equals(w.requestId()) && !w.expired(nowSeconds)).toList();
    }

    /**
     * Wakes every waiter of {@code serviceKey} that waits for its turn, if the lock is free, or kept for an ended run
     * until a known time (each then asks again and waits until that time rather than its longest); the number woken.
     */
    public int wakeWaiters(String serviceKey) {
        if (serviceKey == null) {
            return 0;
        }
        Optional<LockItem> lock = table.lock(serviceKey);
        if (!free(lock, null, clock.millis() / 1000) && !lock.get().closing()) {
            return 0;
        }
        int woken = 0;
        for (WaiterItem w : table.waiters(serviceKey)) {
            if (w.turnToken() != null && turns.wake(w.turnToken())) {
                woken++;
            }
        }
        return woken;
    }

    /** Wakes the waiters {@code mine} supersedes, so that each learns it at once rather than at the lock's release. */
    private void wakeSuperseded(WaiterItem mine, List<WaiterItem> others) {
        for (WaiterItem w : others) {
            if (w.turnToken() != null && mine.place().after(w.place()) && (mine.action() != Action.ROTATE || w.action() == Action.ROTATE)) {
                turns.wake(w.turnToken());
            }
        }
    }

    private static boolean free(Optional<LockItem> lock, String me, long nowSeconds) {
        return lock.isEmpty() || lock.get().expired(nowSeconds) || (me != null && me.equals(lock.get().holder()));
    }

    /** Takes back the request's lock and waiter when its run was recorded meanwhile, and fails the step. */
    private void withdrawIfRecorded(DeployRequest request) {
        if (RunCloser.recordOf(table, request).isEmpty()) {
            return;
        }
        table.releaseLock(request.serviceKey(), request.requestId());
        table.removeWaiter(request.serviceKey(), request.requestId());
        throw new RunInterruptedException("request " + request.requestId() + " was recorded as ended while it asked for the lock of "
                + request.serviceKey() + ": it neither queues for nor holds it");
    }

    /**
     * The longest a live holder keeps the lock: both deadlines, each with the recheck that may run past it (a wait begun
     * just before the deadline sits out its recheck), the bake time and the steps around them (those up to the first
     * rollout check twice: a run prepared again after its service moved).
     */
    public static long maxWaitSeconds(DeployRequest request) {
        long deadline = request.deadlineSeconds() > 0 ? request.deadlineSeconds() : Health.DEFAULT.deadlineSeconds();
        long past = Rollout.recheckSeconds(0, deadline * 1000);
        return 2 * (deadline + past) + Math.max(0, request.bakeSeconds()) + FIRST_LEASE_SECONDS + STEP_ALLOWANCE_SECONDS;
    }

    /**
     * How long a waiter waits for its turn before it asks again by itself: until the blocking lock's lease runs out
     * (a lock kept for an ended run, a holder that stopped renewing), between {@value #MIN_TURN_WAIT_SECONDS} and
     * {@value #MAX_TURN_WAIT_SECONDS} s; the release of a lock wakes it sooner.
     */
    public static int turnWaitSeconds(Optional<LockItem> blocking, long nowSeconds) {
        long untilExpiry = blocking.map(l -> l.expiresAt() - nowSeconds + 1).orElse(0L);
        return (int) Math.clamp(untilExpiry, MIN_TURN_WAIT_SECONDS, MAX_TURN_WAIT_SECONDS);
    }

    /** The holder, when its execution has been over for {@link #RECLAIM_AFTER_SECONDS} (its lease no longer matters); else null. */
    private String endedHolder(Optional<LockItem> held, long nowSeconds) {
        if (held.isEmpty() || held.get().executionArn() == null) {
            return null;
        }
        Optional<Instant> ended = executions.endedAt(held.get().executionArn());
        return ended.filter(at -> at.getEpochSecond() + RECLAIM_AFTER_SECONDS <= nowSeconds).isPresent() ? held.get().holder() : null;
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
                .filter(w -> w.action() == Action.DEPLOY && mine.digest().equals(w.digest()) && w.arrival() < mine.arrival())
                .map(WaiterItem::requestId)
                .findFirst();
    }

    private static Optional<String> newer(WaiterItem mine, Optional<LockItem> held, List<WaiterItem> others) {
        record Rival(Place place, Action action) {
        }
        return Stream.concat(
                        held.map(l -> new Rival(l.place(), l.action())).stream(),
                        others.stream().map(w -> new Rival(w.place(), w.action())))
                .filter(r -> r.place().after(mine.place()))
                .filter(r -> r.action() != Action.ROTATE || mine.action() == Action.ROTATE)
                .max((a, b) -> a.place().compareTo(b.place()))
                .map(r -> r.place().requestId());
    }
}
