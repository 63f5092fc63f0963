package dev.pushdeploy.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.Outcome;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What every {@link LedgerTable} does, the in-memory fake as the DynamoDB adapter: the same
 * conditional semantics ({@code InMemoryLedgerTest} here, {@code DynamoLedgerIT} on the emulator).
 */
public abstract class LedgerTableContract {
    protected static final String KEY = "pushdeploy/web";
    static final long NOW = 1_700_000_000L;

    protected abstract LedgerTable subject();

    static LockItem lock(String holder, long expiresAt) {
        return new LockItem(holder, "arn:aws:states:us-east-1:123456789012:execution:deploy:" + holder, Action.DEPLOY,
                "sha256:" + "1".repeat(64), "repo@sha256:" + "1".repeat(64), 10, 3, 20, expiresAt);
    }

    protected static HistoryItem history(String requestId, Action action, Outcome outcome, int second, String previous, String verified) {
        return new HistoryItem(HistoryItem.sortKey(Instant.ofEpochSecond(NOW + second), requestId), requestId, action,
                "ecr", outcome, "why", "java.lang.RuntimeException", "back on web:1", "repo@sha256:" + "1".repeat(64),
                "sha256:" + "1".repeat(64), "v1", "web:2", previous, "web:2", verified, "ecs-svc/1", new RolloutReach("CANARY", "BAKE_TIME", 12.5),
                List.of("APP_SIGNING_KEY=a"),
                List.of("web:0"), List.of(), "2025-01-01T00:00:00.000Z", "Finalize", null, false);
    }

    /** The same table's release records (both implementations keep them in the one table). */
    protected ReleaseRecords releases() {
        return (ReleaseRecords) subject();
    }

    static ReleaseRecord release(String name, String outcome) {
        return new ReleaseRecord(name, outcome, "release " + name + ": why", "the release was stopped",
                List.of(new ReleaseRecord.ServiceEnd("pushdeploy/web", "repo@sha256:" + "1".repeat(64), name + "-web", "SUCCEEDED",
                                "ROLLING_BACK", "STARTED", name + "-web-rollback", "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"),
                        new ReleaseRecord.ServiceEnd("pushdeploy/api", "repo@sha256:" + "2".repeat(64), name + "-api", "ABORTED",
                                "UNVERIFIED", null, null, null)),
                "arn:aws:states:us-east-1:123456789012:execution:pushdeploy-release:" + name, "2025-01-01T00:00:00.000Z", "reconciler",
                false);
    }

    @Test
    void aReleaseRecordIsWrittenOnceAndReadBack() {
        assertTrue(releases().release("shop-1").isEmpty());

        assertTrue(releases().putRelease(release("shop-1", "ABORTED")));
        assertFalse(releases().putRelease(release("shop-1", "TIMED_OUT")), "there is one");

        assertEquals(release("shop-1", "ABORTED"), releases().release("shop-1").orElseThrow());
        assertTrue(releases().release("shop-2").isEmpty());
    }

    @Test
    void aReleasesNotificationIsClaimedOnce() {
        assertFalse(releases().setReleasePublished("shop-1", true), "no record");
        releases().putRelease(release("shop-1", "ABORTED"));

        assertTrue(releases().setReleasePublished("shop-1", true));
        assertFalse(releases().setReleasePublished("shop-1", true), "claimed");
        assertTrue(releases().release("shop-1").orElseThrow().published());
        assertTrue(releases().setReleasePublished("shop-1", false), "given back");
        assertFalse(releases().release("shop-1").orElseThrow().published());
    }

    @Test
    void aFreeLockIsTakenAndReadBack() {
        assertTrue(subject().tryLock(KEY, lock("a", NOW + 60), NOW, null));

        assertEquals(lock("a", NOW + 60), subject().lock(KEY).orElseThrow());
    }

    @Test
    void aHeldLockIsRefusedToAnotherRequestUntilItExpiresOrItsHolderEnded() {
        subject().tryLock(KEY, lock("a", NOW + 60), NOW, null);

        assertFalse(subject().tryLock(KEY, lock("b", NOW + 120), NOW, null));
        assertFalse(subject().tryLock(KEY, lock("b", NOW + 120), NOW, "c"), "only the holder named as ended");
        assertTrue(subject().tryLock(KEY, lock("a", NOW + 90), NOW, null), "the holder again");
        assertTrue(subject().tryLock(KEY, lock("b", NOW + 200), NOW + 91, null), "expired");
        assertEquals("b", subject().lock(KEY).orElseThrow().holder());
        assertTrue(subject().tryLock(KEY, lock("c", NOW + 300), NOW + 92, "b"), "its holder ended");
        assertEquals("c", subject().lock(KEY).orElseThrow().holder());
    }

    @Test
    void onlyTheHolderClosesTheLockWhichStaysItsUntilReleased() {
        assertFalse(subject().closeLock(KEY, "a"), "no lock");
        subject().tryLock(KEY, lock("a", NOW + 60), NOW, null);
        assertFalse(subject().closeLock(KEY, "b"));
        assertFalse(subject().lock(KEY).orElseThrow().closing());
        assertTrue(subject().closeLock(KEY, "a"));
        assertTrue(subject().closeLock(KEY, "a"), "again");
        assertTrue(subject().renewLock(KEY, "a", NOW + 600));
        assertTrue(subject().lock(KEY).orElseThrow().closing(), "renewing keeps the mark");
        assertEquals(NOW + 600, subject().lock(KEY).orElseThrow().expiresAt());
        assertFalse(subject().tryLock(KEY, lock("b", NOW + 700), NOW, null), "a closing lock is still held");
        subject().releaseLock(KEY, "a");
        assertTrue(subject().lock(KEY).isEmpty());
    }

    /**
     * A lock kept for an ended run's step in flight: closing until then, released by nobody (a redriven execution of the
     * run neither), free to another request once its time is up.
     */
    @Test
    void aKeptLockStaysUntilItsTimeIsUp() {
        assertFalse(subject().keepLock(KEY, "a", NOW + 150), "no lock");
        subject().tryLock(KEY, lock("a", NOW + 3600), NOW, null);
        assertFalse(subject().keepLock(KEY, "b", NOW + 150), "not the holder's");
        assertTrue(subject().keepLock(KEY, "a", NOW + 150));
        assertTrue(subject().keepLock(KEY, "a", NOW + 150), "again");
        LockItem kept = subject().lock(KEY).orElseThrow();
        assertTrue(kept.closing() && kept.kept(), kept.toString());
        assertEquals(NOW + 150, kept.expiresAt());

        subject().releaseLock(KEY, "a");
        assertEquals(kept, subject().lock(KEY).orElseThrow(), "not released by its holder");
        assertFalse(subject().tryLock(KEY, lock("b", NOW + 3600), NOW + 150, null), "held until its time");
        assertTrue(subject().tryLock(KEY, lock("b", NOW + 3600), NOW + 151, null), "then free");
        assertEquals(lock("b", NOW + 3600), subject().lock(KEY).orElseThrow());
    }

    @Test
    void onlyTheHolderRenewsAndReleasesTheLock() {
        subject().tryLock(KEY, lock("a", NOW + 60), NOW, null);

        assertFalse(subject().renewLock(KEY, "b", NOW + 600));
        assertTrue(subject().renewLock(KEY, "a", NOW + 600));
        assertEquals(NOW + 600, subject().lock(KEY).orElseThrow().expiresAt());
        subject().releaseLock(KEY, "b");
        assertTrue(subject().lock(KEY).isPresent());
        subject().releaseLock(KEY, "a");
        assertTrue(subject().lock(KEY).isEmpty());
        assertFalse(subject().renewLock(KEY, "a", NOW + 900), "nothing to renew");
    }

    @Test
    void arrivalsIncrease() {
        long first = subject().nextArrival(KEY);
        long second = subject().nextArrival(KEY);
        assertTrue(second > first);
        assertTrue(subject().nextArrival("pushdeploy/api") >= 1);
    }

    @Test
    void theHighWaterMarkOnlyRisesAndLeavesTheArrivalsAlone() {
        assertTrue(subject().highWater(KEY).isEmpty());
        long arrival = subject().nextArrival(KEY);
        assertTrue(subject().highWater(KEY).isEmpty(), "an arrival sequence is no mark");
        subject().raiseHighWater(KEY, new Place(100, 5, "b"));
        subject().raiseHighWater(KEY, new Place(90, 9, "a"));
        subject().raiseHighWater(KEY, new Place(100, 4, "c"));
        assertEquals(Optional.of(new Place(100, 5, "b")), subject().highWater(KEY), "an earlier place leaves it");
        subject().raiseHighWater(KEY, new Place(100, 6, "d"));
        assertEquals(Optional.of(new Place(100, 6, "d")), subject().highWater(KEY), "same time, later arrival");
        subject().raiseHighWater(KEY, new Place(120, 1, "e"));
        subject().raiseHighWater(KEY, new Place(120, 1, "e"));
        assertEquals(Optional.of(new Place(120, 1, "e")), subject().highWater(KEY), "a later time; raised again, unchanged");
        assertTrue(subject().nextArrival(KEY) > arrival, "the arrival sequence goes on");
        assertEquals(Optional.of(new Place(120, 1, "e")), subject().highWater(KEY), "and the mark stays");
        assertTrue(subject().highWater("pushdeploy/api").isEmpty(), "another service's mark");
    }

    @Test
    void aWaiterKeepsItsPlaceAndGetsTheNewExpiry() {
        subject().registerWaiter(KEY, new WaiterItem("a", Action.DEPLOY, "d1", "i1", 100, 7, 200, NOW + 60, null, "web:5"));

        WaiterItem again = subject().registerWaiter(KEY, new WaiterItem("a", Action.DEPLOY, "d1", "i1", 300, 9, 400, NOW + 120, null,
                "web:4"));

        assertEquals(new WaiterItem("a", Action.DEPLOY, "d1", "i1", 100, 7, 200, NOW + 120, null, "web:5"), again,
                "the place, the start of the wait and the live revision then are the first registration's");
        assertEquals(List.of(again), subject().waiters(KEY));
        subject().removeWaiter(KEY, "a");
        assertTrue(subject().waiters(KEY).isEmpty());
    }

    @Test
    void historyIsWrittenOnceAndItsNotificationClaimedOnce() {
        HistoryItem item = history("a", Action.DEPLOY, Outcome.SUCCEEDED, 1, "web:1", "web:2");

        assertTrue(subject().putHistory(KEY, item));
        assertFalse(subject().putHistory(KEY, history("a", Action.DEPLOY, Outcome.ROLLED_BACK, 1, "web:1", "web:1")), "the first write stays");
        assertTrue(subject().setPublished(KEY, item.sortKey(), true));
        assertFalse(subject().setPublished(KEY, item.sortKey(), true), "claimed already");

        HistoryItem stored = subject().history(KEY, item.sortKey()).orElseThrow();
        assertEquals(item.asPublished(), stored);
        assertTrue(subject().setPublished(KEY, item.sortKey(), false), "the claim given back");
        assertFalse(subject().history(KEY, item.sortKey()).orElseThrow().published());
    }

    @Test
    void anotherRunsRecordIsCompletedOnceByTheRequestThatUndidIt() {
        HistoryItem item = history("a", Action.DEPLOY, Outcome.SUCCEEDED, 1, "web:1", "web:2").asPublished();
        HistoryItem completed = new HistoryItem(item.sortKey(), "a", Action.DEPLOY, "ecr", Outcome.ROLLED_BACK, "release r1 rolled back",
                null, "back on web:1 (r1-back)", item.image(), item.digest(), "v1", "web:1", "web:1", "web:2", "web:1", "ecs-svc/1",
                item.reach(), item.secretSlots(), List.of(), List.of(), "2025-01-01T00:01:00.000Z", "Finalize", "r1-back", false);

        assertFalse(subject().completeHistory(KEY, completed), "no record to complete");
        assertTrue(subject().putHistory(KEY, item));
        assertTrue(subject().completeHistory(KEY, completed));
        assertFalse(subject().completeHistory(KEY, completed), "completed once");

        assertEquals(completed, subject().history(KEY, item.sortKey()).orElseThrow());
        assertTrue(subject().setPublished(KEY, item.sortKey(), true), "the completed record is announced again");
    }

    @Test
    void aRequestsRecordIsFoundByItsId() {
        subject().putHistory(KEY, history("a", Action.DEPLOY, Outcome.SUCCEEDED, 1, "web:1", "web:2"));
        subject().putHistory(KEY, history("b", Action.DEPLOY, Outcome.FAILED, 2, "web:2", null));

        assertEquals("a", subject().recordOf(KEY, "a").orElseThrow().requestId());
        assertEquals(Outcome.FAILED, subject().recordOf(KEY, "b").orElseThrow().outcome());
        assertTrue(subject().recordOf(KEY, "c").isEmpty());
        assertTrue(subject().recordOf("pushdeploy/api", "a").isEmpty());
    }

    @Test
    void verifiedRevisionsComeNewestFirstWithWhatASucceededDeployLeft() {
        subject().putHistory(KEY, history("a", Action.DEPLOY, Outcome.SUCCEEDED, 1, "web:1", "web:2"));
        subject().putHistory(KEY, history("b", Action.DEPLOY, Outcome.ROLLED_BACK, 2, "web:2", "web:2"));
        subject().putHistory(KEY, history("c", Action.DEPLOY, Outcome.FAILED, 3, "web:2", null));
        subject().putHistory(KEY, history("d", Action.ROLLBACK, Outcome.SUCCEEDED, 4, "web:2", "web:1"));

        assertEquals(new VerifiedRevisions(List.of(new VerifiedRevisions.Entry(null, "web:1"), new VerifiedRevisions.Entry(null, "web:2"),
                new VerifiedRevisions.Entry("web:1", "web:2"))), subject().verifiedRevisions(KEY));
        assertEquals(VerifiedRevisions.none(), subject().verifiedRevisions("pushdeploy/api"));
    }
}
