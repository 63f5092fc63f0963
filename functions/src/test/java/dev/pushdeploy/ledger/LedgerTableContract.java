package dev.pushdeploy.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.Outcome;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link LedgerTable} does, the in-memory fake as the DynamoDB adapter: the same
 * conditional semantics ({@code InMemoryLedgerTest} here, {@code DynamoLedgerIT} on the emulator).
 */
public abstract class LedgerTableContract {
    static final String KEY = "pushdeploy/web";
    static final long NOW = 1_700_000_000L;

    protected abstract LedgerTable subject();

    static LockItem lock(String holder, long expiresAt) {
        return new LockItem(holder, Action.DEPLOY, "sha256:" + "1".repeat(64), "repo@sha256:" + "1".repeat(64), 10, 20, expiresAt);
    }

    static HistoryItem history(String requestId, Outcome outcome, int second) {
        return new HistoryItem(HistoryItem.sortKey(Instant.ofEpochSecond(NOW + second), requestId), requestId, Action.DEPLOY,
                "ecr", outcome, "why", "repo@sha256:" + "1".repeat(64), "sha256:" + "1".repeat(64), "v1", "web:2", "web:1",
                "web:2", "ecs-svc/1", List.of("APP_SIGNING_KEY=a"), List.of("web:0"), List.of(), "2025-01-01T00:00:00.000Z", false);
    }

    @Test
    void aFreeLockIsTakenAndReadBack() {
        assertTrue(subject().tryLock(KEY, lock("a", NOW + 60), NOW));

        assertEquals(lock("a", NOW + 60), subject().lock(KEY).orElseThrow());
    }

    @Test
    void aHeldLockIsRefusedToAnotherRequestUntilItExpires() {
        subject().tryLock(KEY, lock("a", NOW + 60), NOW);

        assertFalse(subject().tryLock(KEY, lock("b", NOW + 120), NOW));
        assertTrue(subject().tryLock(KEY, lock("a", NOW + 90), NOW), "the holder again");
        assertTrue(subject().tryLock(KEY, lock("b", NOW + 200), NOW + 91), "expired");
        assertEquals("b", subject().lock(KEY).orElseThrow().holder());
    }

    @Test
    void onlyTheHolderReleasesTheLock() {
        subject().tryLock(KEY, lock("a", NOW + 60), NOW);

        subject().releaseLock(KEY, "b");
        assertTrue(subject().lock(KEY).isPresent());
        subject().releaseLock(KEY, "a");
        assertTrue(subject().lock(KEY).isEmpty());
    }

    @Test
    void aWaiterKeepsItsOrderAndGetsTheNewExpiry() {
        subject().registerWaiter(KEY, new WaiterItem("a", Action.DEPLOY, "d1", "i1", 100, 200, NOW + 60));

        WaiterItem again = subject().registerWaiter(KEY, new WaiterItem("a", Action.DEPLOY, "d1", "i1", 300, 400, NOW + 120));

        assertEquals(new WaiterItem("a", Action.DEPLOY, "d1", "i1", 100, 200, NOW + 120), again);
        assertEquals(List.of(again), subject().waiters(KEY));
        subject().removeWaiter(KEY, "a");
        assertTrue(subject().waiters(KEY).isEmpty());
    }

    @Test
    void historyIsWrittenOnceAndMarkedPublished() {
        HistoryItem item = history("a", Outcome.SUCCEEDED, 1);

        assertTrue(subject().putHistory(KEY, item));
        assertFalse(subject().putHistory(KEY, history("a", Outcome.ROLLED_BACK, 1)), "the first write stays");
        subject().markPublished(KEY, item.sortKey());

        HistoryItem stored = subject().history(KEY, item.sortKey()).orElseThrow();
        assertEquals(Outcome.SUCCEEDED, stored.outcome());
        assertTrue(stored.published());
        assertEquals(item.secretSlots(), stored.secretSlots());
    }

    @Test
    void theLatestSucceededSkipsNewerFailures() {
        subject().putHistory(KEY, history("a", Outcome.SUCCEEDED, 1));
        subject().putHistory(KEY, history("b", Outcome.SUCCEEDED, 2));
        subject().putHistory(KEY, history("c", Outcome.ROLLED_BACK, 3));

        assertEquals("b", subject().latestSucceeded(KEY).orElseThrow().requestId());
        assertTrue(subject().latestSucceeded("pushdeploy/api").isEmpty());
    }
}
