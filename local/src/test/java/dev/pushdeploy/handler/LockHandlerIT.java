package dev.pushdeploy.handler;

import static dev.pushdeploy.handler.RequestLedgerEvents.invoke;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.ledger.LockService;
import dev.pushdeploy.model.LockResult;
import dev.pushdeploy.model.LockStatus;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.World;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The lock against DynamoDB in moto: events/lock.json and variants of its request (other ids, digests, push times). */
@ExtendWith(EmulatorExtension.class)
class LockHandlerIT {
    private static final String PK = "svc#pushdeploy/web";
    private World world;

    @BeforeEach
    void world(Emulator emulator) {
        world = World.create(emulator);
        RequestLedgerEvents.environment(world);
    }

    @Test
    void theSampleEventAcquiresTheLock() {
        long before = Instant.now().getEpochSecond();
        LockResult result = lock(RequestLedgerEvents.file("lock.json"));
        assertEquals(LockStatus.ACQUIRED, result.status(), result.reason());
        assertEquals("push-web-v1-1-0", result.holder());

        Map<String, AttributeValue> item = world.item(PK, "lock");
        assertEquals("push-web-v1-1-0", item.get("holder").s());
        assertEquals(RequestLedgerEvents.V1_1_0, item.get("digest").s());
        assertEquals("1735812000000", item.get("orderAt").n(), "an ECR push is ordered by its push time");
        long expiresAt = Long.parseLong(item.get("expiresAt").n());
        long lease = LockService.FIRST_LEASE_SECONDS; // the steps up to the first check, twice if prepared again; CheckDeployment renews it
        assertTrue(expiresAt >= before + lease && expiresAt <= Instant.now().getEpochSecond() + lease, "expiresAt " + expiresAt);
        assertTrue(world.item(PK, "wait#push-web-v1-1-0").isEmpty(), "no waiter left behind");
    }

    @Test
    void aSecondRequestWaitsUntilTheFirstReleases() {
        lock(request("a", 1, "1"));
        LockResult second = lock(request("b", 2, "2"));
        assertEquals(LockStatus.WAITING, second.status());
        assertEquals("a", second.holder());
        assertEquals("b", world.item(PK, "wait#b").get("requestId").s());

        world.dynamo.deleteItem(r -> r.tableName(World.TABLE).key(key("lock")));
        assertEquals(LockStatus.ACQUIRED, lock(request("b", 2, "2")).status());
        assertEquals("b", world.item(PK, "lock").get("holder").s());
        assertTrue(world.item(PK, "wait#b").isEmpty());
    }

    @Test
    void aNewerWaiterSupersedesAnOlderOne() {
        lock(request("a", 1, "1"));
        assertEquals(LockStatus.WAITING, lock(request("older", 2, "2")).status());
        assertEquals(LockStatus.WAITING, lock(request("newer", 3, "3")).status());
        LockResult older = lock(request("older", 2, "2"));
        assertEquals(LockStatus.SUPERSEDED, older.status());
        assertEquals("a newer request for pushdeploy/web (newer) supersedes this one", older.reason());
        assertTrue(world.item(PK, "wait#older").isEmpty());
        assertTrue(!world.item(PK, "wait#newer").isEmpty());
    }

    @Test
    void anExpiredLockIsTakenOver() {
        world.dynamo.putItem(r -> r.tableName(World.TABLE).item(Map.of("pk", AttributeValue.fromS(PK), "sk", AttributeValue.fromS("lock"),
                "holder", AttributeValue.fromS("crashed"), "action", AttributeValue.fromS("DEPLOY"),
                "orderAt", AttributeValue.fromN("1"), "expiresAt", AttributeValue.fromN(String.valueOf(Instant.now().getEpochSecond() - 5)))));
        LockResult result = lock(RequestLedgerEvents.file("lock.json"));
        assertEquals(LockStatus.ACQUIRED, result.status(), result.reason());
        assertEquals("push-web-v1-1-0", world.item(PK, "lock").get("holder").s());
    }

    @Test
    void aRetryOfAnAcquiredLockStaysAcquired() {
        String event = RequestLedgerEvents.file("lock.json");
        assertEquals(LockStatus.ACQUIRED, lock(event).status());
        String acquiredAt = world.item(PK, "lock").get("acquiredAt").n();
        lock(request("newer", 9, "9"));
        LockResult retry = lock(event);
        assertEquals(LockStatus.ACQUIRED, retry.status());
        assertEquals("this request already holds the lock of pushdeploy/web", retry.reason());
        assertEquals(acquiredAt, world.item(PK, "lock").get("acquiredAt").n(), "the lock item was not rewritten");
    }

    @Test
    void theSameDigestFromAnotherEventIsADuplicate() {
        lock(RequestLedgerEvents.file("lock.json"));
        LockResult duplicate = lock(request("duplicate-event", 0, null));
        assertEquals(LockStatus.DUPLICATE, duplicate.status());
        assertTrue(world.item(PK, "wait#duplicate-event").isEmpty());
    }

    private LockResult lock(String json) {
        return Json.convert(invoke(new LockHandler(), json), LockResult.class);
    }

    /** lock.json with another request id; {@code digit} replaces the digest (null keeps it); pushed {@code seconds} later. */
    private static String request(String id, int seconds, String digit) {
        ObjectNode document = (ObjectNode) Json.tree(RequestLedgerEvents.file("lock.json"));
        ObjectNode request = (ObjectNode) document.get("request");
        request.put("requestId", id);
        request.put("pushedAt", request.get("pushedAt").asLong() + seconds * 1000L);
        if (digit != null) {
            request.put("digest", "sha256:" + digit.repeat(64));
        }
        return document.toString();
    }

    private static Map<String, AttributeValue> key(String sk) {
        return Map.of("pk", AttributeValue.fromS(PK), "sk", AttributeValue.fromS(sk));
    }
}
