package dev.pushdeploy.ledger;

import dev.pushdeploy.model.LockResult;
import dev.pushdeploy.model.LockStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.DeployRequest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LockServiceTest {
    static final String KEY = "pushdeploy/web";
    static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");

    private final InMemoryLedger table = new InMemoryLedger();
    private final MutableClock clock = new MutableClock(T0.plus(Duration.ofHours(1)));
    private final LockService locks = new LockService(table, clock);

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
                .preparedAt(T0.toEpochMilli())
                .build();
    }

    @Test
    void theFirstRequestAcquiresWithALease() {
        LockResult result = locks.acquire(push("a", 1));
        assertEquals(new LockResult(LockStatus.ACQUIRED, "a", "acquired the lock of pushdeploy/web"), result);
        LockItem lock = table.lock(KEY).orElseThrow();
        assertEquals("a", lock.holder());
        assertEquals(clock.instant().getEpochSecond() + 2 * 600 + 30 + LockService.MARGIN_SECONDS, lock.expiresAt());
        assertEquals(T0.plusSeconds(1).toEpochMilli(), lock.orderAt());
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
        assertEquals(first.registeredAt(), again.registeredAt());
        assertEquals(first.expiresAt() + 600, again.expiresAt());
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

    @Test
    void aRotateOfTheLiveDigestIsNotADuplicateOfADeploy() {
        DeployRequest deploy = push("a", 1);
        locks.acquire(deploy);
        DeployRequest rotate = request("r", Action.ROTATE, "manual", deploy.digest(), null);
        assertEquals(LockStatus.WAITING, locks.acquire(rotate).status());
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
        clock.advance(Duration.ofSeconds(LockService.leaseSeconds(push("x", 1)) + 1));
        LockResult result = locks.acquire(push("b", 2));
        assertEquals(LockStatus.ACQUIRED, result.status(), result.reason());
        assertEquals("b", table.lock(KEY).orElseThrow().holder());
    }

    @Test
    void aLockWithoutServiceIsRefused() {
        assertThrows(InvalidRequestException.class, () -> locks.acquire(DeployRequest.ended("x", Decision.REJECTED, "bad")));
        assertFalse(table.lock(KEY).isPresent());
    }
}
