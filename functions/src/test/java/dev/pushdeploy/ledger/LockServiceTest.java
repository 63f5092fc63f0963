package dev.pushdeploy.ledger;

import dev.pushdeploy.model.LockResult;
import dev.pushdeploy.model.LockStatus;
import dev.pushdeploy.model.Outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.DeployRequest;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.pushdeploy.error.RunInterruptedException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.EnumSource;

class LockServiceTest {
    static final String KEY = "pushdeploy/web";
    static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");
    static final String ARN = "arn:aws:states:us-east-1:123456789012:execution:pushdeploy-deploy:";

    private final InMemoryLedger table = new InMemoryLedger();
    private final MutableClock clock = new MutableClock(T0.plus(Duration.ofHours(1)));
    /** Execution ARN → when it ended; absent: still running. */
    private final Map<String, Instant> ended = new HashMap<>();
    /** Task tokens woken, in order. */
    private final List<String> woken = new ArrayList<>();
    private final LockService locks = new LockService(table, arn -> Optional.ofNullable(ended.get(arn)), woken::add, clock);

    /** An ECR push request; digest and push time from {@code n}. */
    static DeployRequest push(String id, int n) {
        return request(id, Action.DEPLOY, "ecr", "sha256:" + String.valueOf(n).repeat(64).substring(0, 64), T0.plusSeconds(n).toEpochMilli());
    }

    static DeployRequest request(String id, Action action, String source, String digest, Long pushedAt) {
        return DeployRequest.builder()
                .requestId(id).action(action).source(source)
                .cluster("pushdeploy").service("web").container("app").repository("web")
                .image("repo@" + digest).digest(digest).tag("v1").reason("test").pushedAt(pushedAt)
                .previousTaskDefinition("td:1").previousImage("repo@old")
                .decision(Decision.PROCEED).register(true).deadlineSeconds(600).bakeSeconds(30)
                .executionArn(ARN + id).startedAt(T0.toEpochMilli())
                .build();
    }

    @Test
    void theFirstRequestAcquiresWithALease() {
        LockResult result = locks.acquire(push("a", 1));
        assertEquals(new LockResult(LockStatus.ACQUIRED, "a", "acquired the lock of pushdeploy/web", 0, 1), result);
        LockItem lock = table.lock(KEY).orElseThrow();
        assertEquals("a", lock.holder());
        assertEquals(clock.instant().getEpochSecond() + LockService.FIRST_LEASE_SECONDS, lock.expiresAt());
        assertEquals(T0.plusSeconds(1).toEpochMilli(), lock.orderAt());
        assertEquals(ARN + "a", lock.executionArn());
        assertTrue(table.waiters(KEY).isEmpty(), "the waiter left the queue");
    }

    @Test
    void aSecondRequestWaitsAndStaysQueued() {
        locks.acquire(push("a", 1));
        LockResult second = locks.acquire(push("b", 2));
        assertEquals(LockStatus.WAITING, second.status());
        assertEquals("a", second.holder());
        assertEquals("pushdeploy/web is locked by request a", second.reason());
        assertEquals("b", table.waiters(KEY).get(0).requestId());
        assertEquals("a", table.lock(KEY).orElseThrow().holder());
    }

    @Test
    void aRetryOfAnAcquiredLockStaysAcquiredEvenWithNewerWaiters() {
        locks.acquire(push("a", 1));
        locks.acquire(push("b", 2));
        assertEquals(LockStatus.ACQUIRED, locks.acquire(push("a", 1)).status());
        assertEquals("a", table.lock(KEY).orElseThrow().holder());
    }

    /** A run prepared again after its service moved asks again while it holds the lock: its lease is granted anew. */
    @Test
    void theHolderAskingAgainGetsItsLeaseGrantedAnew() {
        locks.acquire(push("a", 1));
        clock.advance(Duration.ofSeconds(LockService.FIRST_LEASE_SECONDS - 60));

        assertEquals(LockStatus.ACQUIRED, locks.acquire(push("a", 1)).status());

        assertEquals(clock.instant().getEpochSecond() + LockService.FIRST_LEASE_SECONDS, table.lock(KEY).orElseThrow().expiresAt());
        clock.advance(Duration.ofSeconds(120));
        assertEquals(LockStatus.WAITING, locks.acquire(push("b", 2)).status(), "past the first lease, the holder keeps the lock");
    }

    @Test
    void theNewestWaiterSupersedesOlderOnesAndWinsTheLock() {
        locks.acquire(push("a", 1));
        assertEquals(LockStatus.WAITING, locks.acquire(push("b", 2)).status());
        assertEquals(LockStatus.WAITING, locks.acquire(push("c", 3)).status());
        clock.advance(Duration.ofSeconds(10));
        LockResult older = locks.acquire(push("b", 2));
        assertEquals(LockStatus.SUPERSEDED, older.status());
        assertEquals("a newer request for pushdeploy/web (c) supersedes this one", older.reason());
        assertEquals(1, table.waiters(KEY).size(), "b left the queue");

        table.releaseLock(KEY, "a");
        assertEquals(LockStatus.ACQUIRED, locks.acquire(push("c", 3)).status());
        assertEquals("c", table.lock(KEY).orElseThrow().holder());
    }

    /** A request of {@code action} from {@code source}: a push (n: its push time) or a manual one (placed now). */
    static DeployRequest of(String id, Action action, String source, int n) {
        return "ecr".equals(source) ? request(id, action, source, push(id, n).digest(), T0.plusSeconds(n).toEpochMilli())
                : request(id, action, source, push(id, n).digest(), null);
    }

    @ParameterizedTest(name = "{0} {1} {2} took the lock and ended; then {3} {4} {5}: {6}")
    @CsvSource({
            "DEPLOY,   ecr,    5, DEPLOY,   ecr,    4, SUPERSEDED",
            "DEPLOY,   ecr,    5, DEPLOY,   ecr,    6, ACQUIRED",
            "DEPLOY,   ecr,    5, DEPLOY,   manual, 1, ACQUIRED",
            "DEPLOY,   ecr,    5, ROLLBACK, manual, 1, ACQUIRED",
            "DEPLOY,   ecr,    5, ROTATE,   manual, 1, ACQUIRED",
            "ROLLBACK, manual, 1, DEPLOY,   ecr,    4, SUPERSEDED",
            "DEPLOY,   manual, 1, DEPLOY,   ecr,    4, SUPERSEDED",
            "ROTATE,   manual, 1, DEPLOY,   ecr,    4, ACQUIRED"})
    void aRequestPlacedBeforeOneThatAlreadyTookTheLockToChangeTheImageIsSuperseded(
            Action firstAction, String firstSource, int first, Action laterAction, String laterSource, int later, LockStatus expected) {
        assertEquals(LockStatus.ACQUIRED, locks.acquire(of("first", firstAction, firstSource, first)).status());
        table.releaseLock(KEY, "first");
        clock.advance(Duration.ofMinutes(10));
        assertEquals(expected, locks.acquire(of("later", laterAction, laterSource, later)).status());
        assertTrue(table.waiters(KEY).isEmpty(), "nobody left in the queue");
    }

    /**
     * A push's time has whole seconds only (EventBridge's event time; ECR's push time as the pipeline reads it), so a
     * request by hand is placed at the second it is made too: within one second, the one that reached the queue later is
     * the newer, whichever kind. Before, a deploy by hand at 0.055 s past a second was placed after a push made later in
     * that second, whose time read as 0.000 s, and the push ended SUPERSEDED.
     */
    @ParameterizedTest(name = "{0} at +{1} ms, then {2} at +{3} ms: {4}")
    @CsvSource({
            "manual, 55,  ecr,    900, ACQUIRED",
            "manual, 900, ecr,    100, ACQUIRED",
            "ecr,    100, manual, 900, ACQUIRED",
            "manual, 55,  ecr,    1000, ACQUIRED",
            "manual, 1055, ecr,   900, SUPERSEDED"})
    void withinOneSecondTheRequestThatArrivesLaterIsTheNewerWhetherPushedOrByHand(
            String firstSource, long firstMillis, String laterSource, long laterMillis, LockStatus expected) {
        Instant second = T0.plus(Duration.ofHours(1));
        clock.set(second.plusMillis(firstMillis));
        assertEquals(LockStatus.ACQUIRED, locks.acquire(request("first", Action.DEPLOY, firstSource, "sha256:" + "1".repeat(64),
                "ecr".equals(firstSource) ? second.plusMillis(firstMillis).toEpochMilli() / 1000 * 1000 : null)).status());
        table.releaseLock(KEY, "first");
        clock.set(second.plusMillis(Math.max(firstMillis, laterMillis) + 1));
        LockResult later = locks.acquire(request("later", Action.DEPLOY, laterSource, "sha256:" + "2".repeat(64),
                "ecr".equals(laterSource) ? second.plusMillis(laterMillis).toEpochMilli() / 1000 * 1000 : null));
        assertEquals(expected, later.status(), later.reason());
    }

    @Test
    void aPushWhoseRunStartsAfterANewerOnesWholeRunSaysWhichRequestAndWhen() {
        locks.acquire(push("new", 5));
        table.releaseLock(KEY, "new");
        LockResult late = locks.acquire(push("old", 4));
        assertEquals(new LockResult(LockStatus.SUPERSEDED, null, "a newer request for pushdeploy/web (new, ordered at "
                + T0.plusSeconds(5) + ") took its lock already; this one, ordered at " + T0.plusSeconds(4) + ", does not deploy over it"
                + " (to go back to its image, deploy it or roll back by hand: a request by hand is placed when it is made)",
                0, 2), late);
        assertTrue(table.lock(KEY).isEmpty(), "the older push took nothing");
    }

    @Test
    void aRetryOfAnAcquisitionWhoseMarkWasNotWrittenWritesIt() {
        table.tryLock(KEY, new LockItem("new", ARN + "new", Action.DEPLOY, "d", "i", T0.plusSeconds(5).toEpochMilli(), 1,
                T0.toEpochMilli(), clock.instant().getEpochSecond() + 600), clock.instant().getEpochSecond(), null);
        assertTrue(table.highWater(KEY).isEmpty(), "the first attempt ended before its mark");
        assertEquals(LockStatus.ACQUIRED, locks.acquire(push("new", 5)).status());
        table.releaseLock(KEY, "new");
        assertEquals(LockStatus.SUPERSEDED, locks.acquire(push("old", 4)).status());
    }

    @Test
    void anOlderPushArrivingLateIsSupersededByTheNewerHolder() {
        locks.acquire(push("new", 5));
        LockResult late = locks.acquire(push("old", 4));
        assertEquals(LockStatus.SUPERSEDED, late.status());
        assertEquals("new", late.holder());
        assertTrue(table.waiters(KEY).isEmpty());
    }

    @Test
    void manualRequestsAreOrderedByArrival() {
        locks.acquire(push("a", 1));
        clock.advance(Duration.ofMinutes(5));
        DeployRequest rollback = request("rb", Action.ROLLBACK, "manual", "sha256:" + "e".repeat(64), null);
        assertEquals(LockStatus.WAITING, locks.acquire(rollback).status());
        LockResult push = locks.acquire(push("p", 2));
        assertEquals(LockStatus.SUPERSEDED, push.status(), "pushed before the rollback was asked for");

        DeployRequest oldImage = request("m", Action.DEPLOY, "manual", "sha256:" + "f".repeat(64), T0.minusSeconds(86400).toEpochMilli());
        clock.advance(Duration.ofMinutes(1));
        assertEquals(LockStatus.WAITING, locks.acquire(oldImage).status());
        assertEquals(LockStatus.SUPERSEDED, locks.acquire(rollback).status(), "the manual deploy came later");
    }

    @Test
    void aWaiterKeepsItsPlaceAndRefreshesItsExpiry() {
        locks.acquire(push("a", 1));
        DeployRequest rotate = request("r", Action.ROTATE, "manual", null, null);
        locks.acquire(rotate);
        WaiterItem first = table.waiters(KEY).get(0);
        clock.advance(Duration.ofMinutes(10));
        locks.acquire(rotate);
        WaiterItem again = table.waiters(KEY).get(0);
        assertEquals(first.orderAt(), again.orderAt());
        assertEquals(first.arrival(), again.arrival());
        assertEquals(first.registeredAt(), again.registeredAt());
        long leaseLeft = table.lock(KEY).orElseThrow().expiresAt() - clock.instant().getEpochSecond();
        assertEquals(clock.instant().getEpochSecond() + Math.min(leaseLeft + 1, LockService.MAX_TURN_WAIT_SECONDS)
                + LockService.WAITER_GRACE_SECONDS, again.expiresAt());
    }

    @Test
    void theSameDigestHeldByAnotherDeployIsADuplicate() {
        locks.acquire(push("a", 1));
        LockResult duplicate = locks.acquire(push("a-again", 1));
        assertEquals(LockStatus.DUPLICATE, duplicate.status());
        assertEquals("a", duplicate.holder());
        assertTrue(duplicate.reason().endsWith("is already being deployed to pushdeploy/web by request a"), duplicate.reason());
        assertTrue(table.waiters(KEY).isEmpty());
    }


    @Test
    void ofTwoQueuedDuplicatesTheFirstRegisteredStays() {
        locks.acquire(push("a", 1));
        assertEquals(LockStatus.WAITING, locks.acquire(push("x", 2)).status());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(LockStatus.DUPLICATE, locks.acquire(push("y", 2)).status());
        assertEquals(LockStatus.WAITING, locks.acquire(push("x", 2)).status(), "x is not a duplicate of y");
    }

    /**
     * Only a push is a duplicate: a rotation of the digest in flight, or a deploy of it by hand (a release's too), waits for its
     * turn and learns from its own run whether the image is live.
     */
    @ParameterizedTest
    @EnumSource(value = Action.class, names = {"ROTATE", "DEPLOY"})
    void aRequestByHandOfTheDigestInFlightIsNotADuplicate(Action action) {
        DeployRequest deploy = push("a", 1);
        locks.acquire(deploy);
        DeployRequest byHand = request("m", action, "manual", deploy.digest(), null);
        assertEquals(LockStatus.WAITING, locks.acquire(byHand).status());
        assertEquals(LockStatus.DUPLICATE, locks.acquire(push("a-again", 1)).status(), "a push of it still is a duplicate");
    }

    @Test
    void aRotateSupersedesOnlyOlderRotates() {
        locks.acquire(push("a", 1));
        locks.acquire(request("r1", Action.ROTATE, "manual", null, null));
        clock.advance(Duration.ofMinutes(1));
        locks.acquire(request("r2", Action.ROTATE, "manual", null, null));
        assertEquals(LockStatus.WAITING, locks.acquire(push("late", 2)).status(), "a push is not cancelled by a later rotate");
        assertEquals(LockStatus.SUPERSEDED, locks.acquire(request("r1", Action.ROTATE, "manual", null, null)).status());
    }

    @Test
    void anExpiredLockIsTakenOverAndExpiredWaitersDoNotCount() {
        locks.acquire(push("crashed", 1));
        locks.acquire(push("ghost", 9));
        clock.advance(Duration.ofSeconds(LockService.FIRST_LEASE_SECONDS + 1));
        LockResult result = locks.acquire(push("b", 2));
        assertEquals(LockStatus.ACQUIRED, result.status(), result.reason());
        assertEquals("b", table.lock(KEY).orElseThrow().holder());
    }

    /** Issue 8, case 6: ten pushes within one second, while another deployment runs: one winner, the last to arrive. */
    @Test
    void pushesWithinOneSecondAreOrderedByArrivalAndTheLastOneWins() {
        locks.acquire(push("running", 1));
        List<DeployRequest> sameSecond = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            DeployRequest push = request("p" + i, Action.DEPLOY, "ecr", "sha256:" + String.valueOf((char) ('a' + i)).repeat(64),
                    T0.plusSeconds(5).toEpochMilli());
            sameSecond.add(push);
            assertEquals(LockStatus.WAITING, locks.acquire(push).status(), "p" + i + " arrives");
        }
        clock.advance(Duration.ofSeconds(10));
        for (DeployRequest push : sameSecond.subList(0, 9)) {
            LockResult result = locks.acquire(push);
            assertEquals(LockStatus.SUPERSEDED, result.status(), push.requestId());
            assertTrue(result.reason().contains("(p9)"), result.reason());
        }
        table.releaseLock(KEY, "running");
        assertEquals(LockStatus.ACQUIRED, locks.acquire(sameSecond.get(9)).status());
        assertTrue(table.waiters(KEY).isEmpty());
    }

    @Test
    void theArrivalOrderIsTotalWhateverOrderTheWaitersAskIn() {
        locks.acquire(push("running", 1));
        for (String id : List.of("x", "y", "z")) {
            locks.acquire(request(id, Action.DEPLOY, "ecr", "sha256:" + id.repeat(64), T0.plusSeconds(5).toEpochMilli()));
        }
        List<WaiterItem> queue = table.waiters(KEY).stream().sorted(java.util.Comparator.comparing(WaiterItem::place)).toList();
        assertEquals(List.of("x", "y", "z"), queue.stream().map(WaiterItem::requestId).toList());
        assertEquals(LockStatus.SUPERSEDED, locks.acquire(request("y", Action.DEPLOY, "ecr", "sha256:" + "y".repeat(64),
                T0.plusSeconds(5).toEpochMilli())).status());
        assertEquals(LockStatus.WAITING, locks.acquire(request("z", Action.DEPLOY, "ecr", "sha256:" + "z".repeat(64),
                T0.plusSeconds(5).toEpochMilli())).status());
    }

    @Test
    void theLeaseFollowsTheHoldersProgress() {
        DeployRequest holder = push("a", 1);
        locks.acquire(holder);
        Lease lease = new Lease(table, clock);
        for (int check = 0; check < 10; check++) {
            clock.advance(Duration.ofSeconds(LockService.STEP_ALLOWANCE_SECONDS - 60));
            lease.checked(holder, 30);
            assertEquals(clock.instant().getEpochSecond() + 30 + LockService.STEP_ALLOWANCE_SECONDS, table.lock(KEY).orElseThrow().expiresAt());
            assertEquals(LockStatus.WAITING, locks.acquire(push("b" + check, 2)).status(), "a live holder keeps the lock");
            table.removeWaiter(KEY, "b" + check);
        }
    }

    @Test
    void aRequestThatLostTheLockIsInterruptedOnItsNextCheck() {
        DeployRequest holder = push("a", 1);
        locks.acquire(holder);
        clock.advance(Duration.ofSeconds(LockService.FIRST_LEASE_SECONDS + 1));
        assertEquals(LockStatus.ACQUIRED, locks.acquire(push("b", 2)).status());
        RunInterruptedException lost = assertThrows(RunInterruptedException.class, () -> new Lease(table, clock).checked(holder, 5));
        assertEquals("request a no longer holds the lock of pushdeploy/web (request b does); the service is left as it is", lost.getMessage());
        assertEquals("b", table.lock(KEY).orElseThrow().holder());
    }

    @Test
    void aDeadHoldersLockIsReclaimedMinutesAfterItsExecutionEnded() {
        locks.acquire(push("dead", 1));
        clock.advance(Duration.ofSeconds(30));
        ended.put(ARN + "dead", clock.instant());
        assertEquals(LockStatus.WAITING, locks.acquire(push("b", 2)).status(), "the reconciler has its turn first");
        clock.advance(Duration.ofSeconds(LockService.RECLAIM_AFTER_SECONDS));
        LockResult result = locks.acquire(push("b", 2));
        assertEquals(LockStatus.ACQUIRED, result.status(), result.reason());
        assertEquals("acquired the lock of pushdeploy/web (its holder dead had ended)", result.reason());
    }

    @Test
    void aWaiterGivesUpOnceNoHolderCanStillHoldTheLock() {
        locks.acquire(push("a", 1));
        DeployRequest waiting = push("b", 2);
        assertEquals(LockStatus.WAITING, locks.acquire(waiting).status());
        long maxWait = LockService.maxWaitSeconds(waiting);
        int polls = 0;
        LockResult result;
        do {
            table.renewLock(KEY, "a", clock.instant().getEpochSecond() + 3600);
            clock.advance(Duration.ofSeconds(locks.acquire(waiting).nextPollSeconds() == 0 ? 1 : LockService.MAX_TURN_WAIT_SECONDS));
            result = locks.acquire(waiting);
            polls++;
        } while (result.status() == LockStatus.WAITING && polls < 10_000);
        assertEquals(LockStatus.TIMED_OUT, result.status());
        assertTrue(result.reason().startsWith("waited "), result.reason());
        assertTrue(table.waiters(KEY).isEmpty());
        assertEquals(2 * (600 + dev.pushdeploy.model.Rollout.MIN_RECHECK_SECONDS) + 30 + 3 * LockService.STEP_ALLOWANCE_SECONDS, maxWait,
                "both deadlines, each with a recheck past it, the bake and the steps around them");
    }

    @ParameterizedTest(name = "lease left {0} s → wait up to {1} s")
    @CsvSource(nullValues = "none", value = {"none, 75", "-5, 75", "0, 75", "60, 75", "300, 301", "899, 900", "3600, 900"})
    void aWaiterWaitsForItsTurnUntilTheLeaseRunsOutWithinBounds(Long leaseLeft, int wait) {
        long now = 1_000_000;
        Optional<LockItem> lock = Optional.ofNullable(leaseLeft).map(left -> new LockItem("a", ARN + "a", Action.DEPLOY, null, null,
                0, 1, 0, now + left, false));
        assertEquals(wait, LockService.turnWaitSeconds(lock, now));
    }

    @Test
    void aWaiterToldToWaitIsWokenOnceTheLockIsFree() {
        locks.acquire(push("a", 1));
        DeployRequest b = push("b", 2);
        assertEquals(LockStatus.WAITING, locks.acquire(b).status());
        assertEquals(LockStatus.WAITING, locks.awaitTurn(b, "token-b").status());
        assertEquals(List.of(), woken, "the lock is held: b waits");
        assertEquals("token-b", table.waiters(KEY).get(0).turnToken());

        assertEquals(0, locks.wakeWaiters(KEY), "held still: nobody is woken");
        table.releaseLock(KEY, "a");
        assertEquals(1, locks.wakeWaiters(KEY));
        assertEquals(List.of("token-b"), woken);
        assertEquals(LockStatus.ACQUIRED, locks.acquire(b).status());
        assertEquals(0, locks.wakeWaiters(KEY), "b holds it now");
    }

    @Test
    void aReleaseBeforeTheTokenIsStoredIsNotMissed() {
        DeployRequest b = queuedBehindA();
        table.releaseLock(KEY, "a");
        assertEquals(0, locks.wakeWaiters(KEY), "no token stored yet");
        locks.awaitTurn(b, "token-b");
        assertEquals(List.of("token-b"), woken, "the wait finds the lock free and ends itself");
    }

    @Test
    void aWaitOfARequestThatLeftTheQueueEndsAtOnce() {
        DeployRequest b = queuedBehindA();
        table.removeWaiter(KEY, "b");
        locks.awaitTurn(b, "token-b");
        assertEquals(List.of("token-b"), woken);
    }

    /**
     * b is told to wait behind a; before b's wait stores its token, a's run ends and c, pushed after b, takes the lock. Woken
     * only at c's release, b would then take the free lock and deploy its older image over c's: its wait ends at once instead,
     * and asked again b is SUPERSEDED.
     */
    @Test
    void aWaitBehindANewerHolderEndsAtOnceAndTheWaiterIsSuperseded() {
        DeployRequest b = queuedBehindA();
        DeployRequest c = push("c", 3);
        assertEquals(LockStatus.WAITING, locks.acquire(c).status());
        table.releaseLock(KEY, "a");
        assertEquals(LockStatus.ACQUIRED, locks.acquire(c).status());

        LockResult waited = locks.awaitTurn(b, "token-b");

        assertEquals(List.of("token-b"), woken);
        assertEquals("a newer request for " + KEY + " (c) is queued or holds the lock: asks again now", waited.reason());
        assertEquals(LockStatus.SUPERSEDED, locks.acquire(b).status());
    }

    /** The same while c is still queued behind a: b's wait ends at once, where it would have waited for a's release. */
    @Test
    void aWaitBehindANewerWaiterEndsAtOnce() {
        DeployRequest b = queuedBehindA();
        assertEquals(LockStatus.WAITING, locks.acquire(push("c", 3)).status());

        locks.awaitTurn(b, "token-b");

        assertEquals(List.of("token-b"), woken);
        assertEquals(LockStatus.SUPERSEDED, locks.acquire(b).status());
    }

    /** An older holder or an older waiter, or a rotation, leaves the wait as it is. */
    @Test
    void aWaitBehindOlderRequestsOnlyWaits() {
        DeployRequest b = queuedBehindA();
        locks.acquire(request("r", Action.ROTATE, "manual", null, null));

        assertEquals(LockStatus.WAITING, locks.awaitTurn(b, "token-b").status());

        assertEquals(List.of(), woken);
    }

    /** Request b, after a took the lock (b is told to wait). */
    private DeployRequest queuedBehindA() {
        locks.acquire(push("a", 1));
        DeployRequest b = push("b", 2);
        locks.acquire(b);
        return b;
    }

    @Test
    void aNewerRequestWakesTheWaitersItSupersedesAndNoOther() {
        locks.acquire(push("a", 1));
        DeployRequest rotate = request("r", Action.ROTATE, "manual", null, null);
        DeployRequest b = push("b", 2);
        locks.acquire(b);
        locks.awaitTurn(b, "token-b");
        clock.advance(Duration.ofSeconds(1));
        locks.acquire(rotate);
        locks.awaitTurn(rotate, "token-r");
        assertEquals(List.of(), woken, "a rotation supersedes no deploy");
        locks.acquire(push("c", 3));
        assertEquals(List.of("token-b"), woken, "c supersedes b, not the rotation");
        assertEquals(LockStatus.SUPERSEDED, locks.acquire(b).status());
    }

    @Test
    void aLockKeptForAnEndedRunWakesItsWaitersToWaitUntilItsExpiry() {
        locks.acquire(push("a", 1));
        DeployRequest b = push("b", 2);
        assertEquals(LockService.MAX_TURN_WAIT_SECONDS, locks.acquire(b).nextPollSeconds(), "a live holder: the longest wait");
        locks.awaitTurn(b, "token-b");
        table.renewLock(KEY, "a", clock.instant().getEpochSecond() + 150);
        table.closeLock(KEY, "a");
        assertEquals(1, locks.wakeWaiters(KEY));
        assertEquals(List.of("token-b"), woken);
        assertEquals(151, locks.acquire(b).nextPollSeconds(), "asked again, b waits until the kept lock runs out");
    }

    @Test
    void aLockKeptForAnEndedRunBoundsTheWaitByItsExpiry() {
        locks.acquire(push("a", 1));
        table.renewLock(KEY, "a", clock.instant().getEpochSecond() + 120);
        table.closeLock(KEY, "a");
        LockResult waiting = locks.acquire(push("b", 2));
        assertEquals(LockStatus.WAITING, waiting.status());
        assertEquals(121, waiting.nextPollSeconds(), "until the kept lock runs out, then b asks again");
    }

    @Test
    void aLockStepStillRunningAfterItsRunWasRecordedTakesNothing() {
        DeployRequest stopped = push("stopped", 1);
        accountFor(stopped);
        RunInterruptedException late = assertThrows(RunInterruptedException.class, () -> locks.acquire(stopped));
        assertEquals("request stopped was recorded as ended while it asked for the lock of pushdeploy/web: it neither queues for nor holds it",
                late.getMessage());
        assertTrue(table.lock(KEY).isEmpty());
        assertTrue(table.waiters(KEY).isEmpty());
    }

    @Test
    void aStepOfARunWhoseLockIsKeptAfterItEndedTakesNothing() {
        DeployRequest stopped = push("stopped", 1);
        assertEquals(LockStatus.ACQUIRED, locks.acquire(stopped).status());
        assertTrue(table.closeLock(KEY, "stopped"));
        LockItem kept = table.lock(KEY).orElseThrow();

        RunInterruptedException late = assertThrows(RunInterruptedException.class, () -> locks.acquire(stopped));
        assertEquals("request stopped was taken over as ended; its lock of pushdeploy/web is kept only until its last step has surely ended",
                late.getMessage());
        assertEquals(kept, table.lock(KEY).orElseThrow());
    }

    @Test
    void aRunUndoingAnotherIsNotTakenForRecordedByThatRunsRecord() {
        DeployRequest undone = push("undone", 1);
        accountFor(undone);
        DeployRequest undo = push("undo", 2).toBuilder().undoes(RunCloser.sortKey(undone)).build();
        assertEquals(LockStatus.ACQUIRED, locks.acquire(undo).status());
    }

    /** What a closer (Finalize or the reconciler) does for a run: its history record first, then the lock and waiter released. */
    private void accountFor(DeployRequest request) {
        table.putHistory(KEY, new HistoryItem(RunCloser.sortKey(request), request.requestId(), request.action(), request.source(),
                Outcome.ABORTED, "the execution was stopped", null, null, request.image(), request.digest(), request.tag(), null, null,
                null, null, null, null, List.of(), List.of(), List.of(), "2025-03-01T13:00:00.000Z", "reconciler", null, false));
        table.releaseLock(KEY, request.requestId());
        table.removeWaiter(KEY, request.requestId());
    }

    /**
     * The operator stops the execution while its Lock step is in flight, and the reconciler accounts for the
     * run just before the step's own write lands. The step must take its waiter and lock back rather than leave
     * the stopped run queued or holding the lock.
     */
    @ParameterizedTest
    @CsvSource({"registerWaiter, free", "tryLock, free", "registerWaiter, held", "tryLock, held"})
    void aStopThatLandsBeforeTheStepsWriteLeavesNothingQueuedOrLocked(String write, String lock) {
        if (lock.equals("held")) {
            locks.acquire(push("a", 1));
        }
        DeployRequest late = push("late", 2);
        LedgerTable racing = (LedgerTable) Proxy.newProxyInstance(LedgerTable.class.getClassLoader(), new Class<?>[] {LedgerTable.class},
                (proxy, method, args) -> {
                    if (method.getName().equals(write) && table.history(KEY, RunCloser.sortKey(late)).isEmpty()) {
                        accountFor(late);
                    }
                    try {
                        return method.invoke(table, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        LockService service = new LockService(racing, arn -> Optional.ofNullable(ended.get(arn)), woken::add, clock);

        RunInterruptedException stopped = assertThrows(RunInterruptedException.class, () -> service.acquire(late));

        assertTrue(table.history(KEY, RunCloser.sortKey(late)).isPresent(), "the run was accounted for during the step");
        assertTrue(stopped.getMessage().contains("recorded as ended"), stopped.getMessage());
        assertEquals(lock.equals("held") ? Optional.of("a") : Optional.empty(), table.lock(KEY).map(LockItem::holder));
        assertEquals(List.of(), table.waiters(KEY).stream().map(WaiterItem::requestId).toList());
    }

    @Test
    void aLockWithoutServiceIsRefused() {
        assertThrows(InvalidRequestException.class, () -> locks.acquire(DeployRequest.ended("x", Decision.REJECTED, "bad")));
        assertFalse(table.lock(KEY).isPresent());
    }
}
