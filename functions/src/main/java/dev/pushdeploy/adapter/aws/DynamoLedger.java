package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.ledger.HistoryItem;
import dev.pushdeploy.ledger.RolloutReach;
import dev.pushdeploy.ledger.LedgerTable;
import dev.pushdeploy.ledger.LockItem;
import dev.pushdeploy.ledger.Place;
import dev.pushdeploy.ledger.ReleaseRecord;
import dev.pushdeploy.ledger.ReleaseRecords;
import dev.pushdeploy.ledger.VerifiedRevisions;
import dev.pushdeploy.ledger.WaiterItem;
import dev.pushdeploy.model.Outcome;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.adapter.json.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * {@link LedgerTable} over DynamoDB. Layout (one table, {@code pk}/{@code sk}, TTL attribute
 * {@code expiresAt}): lock {@code svc#<cluster>/<service>} / {@code lock}; waiters {@code svc#…} /
 * {@code wait#<requestId>}; the arrival sequence {@code svc#…} / {@code arrivals} (an atomic counter, and the
 * high-water mark: {@code highOrderAt}, {@code highArrival}, {@code highRequest});
 * history {@code svc#…} / {@code hist#<ISO time>#<requestId>}; a release's record {@code rel#<release>} /
 * {@code release} (its services one JSON string, as the release workflow writes it). Lock and waiter reads
 * are strongly consistent.
 */
public final class DynamoLedger implements LedgerTable, ReleaseRecords {
    private static final String RELEASE = "release";
    private static final String LOCK = "lock";
    private static final String WAIT = "wait#";
    private static final String HIST = "hist#";
    private static final String ARRIVALS = "arrivals";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoLedger(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public Optional<LockItem> lock(String serviceKey) {
        return get(serviceKey, LOCK).map(DynamoLedger::lockItem);
    }

    @Override
    public List<WaiterItem> waiters(String serviceKey) {
        return AwsCall.run("dynamodb:Query waiters of " + serviceKey, () ->
                dynamo.queryPaginator(r -> r.tableName(table).consistentRead(true)
                                .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                                .expressionAttributeValues(Map.of(":pk", s(pk(serviceKey)), ":prefix", s(WAIT))))
                        .items().stream().map(DynamoLedger::waiterItem).toList());
    }

    @Override
    public VerifiedRevisions verifiedRevisions(String serviceKey) {
        return AwsCall.run("dynamodb:Query history of " + serviceKey, () -> new VerifiedRevisions(
                dynamo.queryPaginator(r -> r.tableName(table).scanIndexForward(false).consistentRead(true)
                                .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                                .expressionAttributeValues(Map.of(":pk", s(pk(serviceKey)), ":prefix", s(HIST))))
                        .items().stream().limit(HISTORY_LOOKBACK)
                        .filter(item -> text(item, "verifiedTaskDefinition") != null)
                        .map(item -> new VerifiedRevisions.Entry(
                                Outcome.SUCCEEDED.name().equals(text(item, "outcome")) && !Action.ROLLBACK.name().equals(text(item, "action"))
                                        ? text(item, "previousTaskDefinition") : null,
                                text(item, "verifiedTaskDefinition")))
                        .toList()));
    }

    @Override
    public Optional<HistoryItem> recordOf(String serviceKey, String requestId) {
        return AwsCall.run("dynamodb:Query history of " + serviceKey, () ->
                dynamo.queryPaginator(r -> r.tableName(table).scanIndexForward(false).consistentRead(true)
                                .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                                .expressionAttributeValues(Map.of(":pk", s(pk(serviceKey)), ":prefix", s(HIST))))
                        .items().stream().limit(HISTORY_LOOKBACK)
                        .filter(item -> requestId.equals(text(item, "requestId")))
                        .findFirst().map(DynamoLedger::historyItem));
    }

    @Override
    public long nextArrival(String serviceKey) {
        Map<String, AttributeValue> updated = AwsCall.run("dynamodb:UpdateItem arrivals of " + serviceKey, () ->
                dynamo.updateItem(r -> r.tableName(table).key(key(serviceKey, ARRIVALS))
                        .updateExpression("ADD #next :one")
                        .expressionAttributeNames(Map.of("#next", "next"))
                        .expressionAttributeValues(Map.of(":one", n(1)))
                        .returnValues(ReturnValue.UPDATED_NEW)).attributes());
        return number(updated, "next");
    }

    @Override
    public Optional<Place> highWater(String serviceKey) {
        return get(serviceKey, ARRIVALS).filter(item -> item.containsKey("highOrderAt"))
                .map(item -> new Place(number(item, "highOrderAt"), number(item, "highArrival"), text(item, "highRequest")));
    }

    @Override
    public void raiseHighWater(String serviceKey, Place place) {
        AwsCall.exec("dynamodb:UpdateItem high-water mark of " + serviceKey, () -> {
            try {
                dynamo.updateItem(r -> r.tableName(table).key(key(serviceKey, ARRIVALS))
                        .conditionExpression("attribute_not_exists(highOrderAt) OR highOrderAt < :orderAt"
                                + " OR (highOrderAt = :orderAt AND highArrival < :arrival)")
                        .updateExpression("SET highOrderAt = :orderAt, highArrival = :arrival, highRequest = :request")
                        .expressionAttributeValues(Map.of(":orderAt", n(place.orderAt()), ":arrival", n(place.arrival()),
                                ":request", s(place.requestId()))));
            } catch (ConditionalCheckFailedException atOrAfter) {
                // the mark is at or after this place already
            }
        });
    }

    /** The service's newest history items, newest first, at most {@code limit}. */
    public List<HistoryItem> recentHistory(String serviceKey, int limit) {
        return AwsCall.run("dynamodb:Query history of " + serviceKey, () ->
                dynamo.queryPaginator(r -> r.tableName(table).scanIndexForward(false).limit(Math.min(limit, 100))
                                .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                                .expressionAttributeValues(Map.of(":pk", s(pk(serviceKey)), ":prefix", s(HIST))))
                        .items().stream().limit(limit).map(DynamoLedger::historyItem).toList());
    }

    @Override
    public WaiterItem registerWaiter(String serviceKey, WaiterItem waiter) {
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        List<String> sets = new ArrayList<>();
        set(sets, names, values, "requestId", s(waiter.requestId()), false);
        set(sets, names, values, "action", s(waiter.action() == null ? null : waiter.action().name()), false);
        set(sets, names, values, "digest", s(waiter.digest()), false);
        set(sets, names, values, "image", s(waiter.image()), false);
        set(sets, names, values, "expiresAt", n(waiter.expiresAt()), false);
        set(sets, names, values, "orderAt", n(waiter.orderAt()), true);
        set(sets, names, values, "arrival", n(waiter.arrival()), true);
        set(sets, names, values, "registeredAt", n(waiter.registeredAt()), true);
        set(sets, names, values, "live", s(waiter.live()), true);
        Map<String, AttributeValue> stored = AwsCall.run("dynamodb:UpdateItem waiter " + waiter.requestId() + " of " + serviceKey, () ->
                dynamo.updateItem(r -> r.tableName(table).key(key(serviceKey, WAIT + waiter.requestId()))
                        .updateExpression("SET " + String.join(", ", sets))
                        .expressionAttributeNames(names).expressionAttributeValues(values)
                        .returnValues(ReturnValue.ALL_NEW)).attributes());
        return waiterItem(stored);
    }

    @Override
    public boolean setTurnToken(String serviceKey, String requestId, String token) {
        return AwsCall.run("dynamodb:UpdateItem turn of waiter " + requestId + " of " + serviceKey, () -> {
            try {
                dynamo.updateItem(r -> r.tableName(table).key(key(serviceKey, WAIT + requestId))
                        .conditionExpression("attribute_exists(pk)")
                        .updateExpression("SET turnToken = :t").expressionAttributeValues(Map.of(":t", s(token))));
                return true;
            } catch (ConditionalCheckFailedException gone) {
                return false;
            }
        });
    }

    @Override
    public void removeWaiter(String serviceKey, String requestId) {
        AwsCall.exec("dynamodb:DeleteItem waiter " + requestId + " of " + serviceKey, () ->
                dynamo.deleteItem(r -> r.tableName(table).key(key(serviceKey, WAIT + requestId))));
    }

    @Override
    public boolean tryLock(String serviceKey, LockItem lock, long nowSeconds, String endedHolder) {
        Map<String, AttributeValue> item = new HashMap<>(key(serviceKey, LOCK));
        put(item, "holder", s(lock.holder()));
        put(item, "executionArn", s(lock.executionArn()));
        put(item, "arrival", n(lock.arrival()));
        put(item, "action", s(lock.action() == null ? null : lock.action().name()));
        put(item, "digest", s(lock.digest()));
        put(item, "image", s(lock.image()));
        put(item, "orderAt", n(lock.orderAt()));
        put(item, "acquiredAt", n(lock.acquiredAt()));
        put(item, "expiresAt", n(lock.expiresAt()));
        return AwsCall.run("dynamodb:PutItem lock of " + serviceKey, () -> {
            try {
                dynamo.putItem(r -> r.tableName(table).item(item)
                        .conditionExpression("attribute_not_exists(pk) OR #expiresAt < :now OR #holder = :me OR #holder = :ended")
                        .expressionAttributeNames(Map.of("#expiresAt", "expiresAt", "#holder", "holder"))
                        .expressionAttributeValues(Map.of(":now", n(nowSeconds), ":me", s(lock.holder()),
                                ":ended", s(endedHolder == null ? lock.holder() : endedHolder))));
                return true;
            } catch (ConditionalCheckFailedException e) {
                return false;
            }
        });
    }

    @Override
    public boolean renewLock(String serviceKey, String holder, long expiresAt) {
        return setOnHeldLock(serviceKey, holder, "expiresAt", n(expiresAt));
    }

    @Override
    public boolean closeLock(String serviceKey, String holder) {
        return setOnHeldLock(serviceKey, holder, "closing", AttributeValue.fromBool(true));
    }

    @Override
    public boolean keepLock(String serviceKey, String holder, long untilSeconds) {
        return AwsCall.run("dynamodb:UpdateItem lock of " + serviceKey, () -> {
            try {
                dynamo.updateItem(r -> r.tableName(table).key(key(serviceKey, LOCK))
                        .conditionExpression("#holder = :me")
                        .updateExpression("SET closing = :true, kept = :true, expiresAt = :until")
                        .expressionAttributeNames(Map.of("#holder", "holder"))
                        .expressionAttributeValues(Map.of(":me", s(holder), ":true", AttributeValue.fromBool(true), ":until", n(untilSeconds))));
                return true;
            } catch (ConditionalCheckFailedException notOurs) {
                return false;
            }
        });
    }

    /** Sets one attribute of the lock if {@code holder} holds it; false when it does not. */
    private boolean setOnHeldLock(String serviceKey, String holder, String attribute, AttributeValue value) {
        return AwsCall.run("dynamodb:UpdateItem lock of " + serviceKey, () -> {
            try {
                dynamo.updateItem(r -> r.tableName(table).key(key(serviceKey, LOCK))
                        .conditionExpression("#holder = :me")
                        .updateExpression("SET #attribute = :value")
                        .expressionAttributeNames(Map.of("#holder", "holder", "#attribute", attribute))
                        .expressionAttributeValues(Map.of(":me", s(holder), ":value", value)));
                return true;
            } catch (ConditionalCheckFailedException notOurs) {
                return false;
            }
        });
    }

    @Override
    public void releaseLock(String serviceKey, String holder) {
        AwsCall.exec("dynamodb:DeleteItem lock of " + serviceKey, () -> {
            try {
                dynamo.deleteItem(r -> r.tableName(table).key(key(serviceKey, LOCK))
                        .conditionExpression("#holder = :me AND attribute_not_exists(kept)")
                        .expressionAttributeNames(Map.of("#holder", "holder"))
                        .expressionAttributeValues(Map.of(":me", s(holder))));
            } catch (ConditionalCheckFailedException notOurs) {
                // absent, held by another request, or kept for an ended run's step: nothing of ours to release
            }
        });
    }

    @Override
    public Optional<HistoryItem> history(String serviceKey, String sortKey) {
        return get(serviceKey, sortKey).map(DynamoLedger::historyItem);
    }

    @Override
    public boolean putHistory(String serviceKey, HistoryItem h) {
        return putUnlessExists("history " + h.sortKey() + " of " + serviceKey, historyAttributes(serviceKey, h));
    }

    /** Puts the item unless one with its key exists; false when it existed. */
    private boolean putUnlessExists(String what, Map<String, AttributeValue> item) {
        return AwsCall.run("dynamodb:PutItem " + what, () -> {
            try {
                dynamo.putItem(r -> r.tableName(table).item(item).conditionExpression("attribute_not_exists(sk)"));
                return true;
            } catch (ConditionalCheckFailedException exists) {
                return false;
            }
        });
    }

    @Override
    public boolean completeHistory(String serviceKey, HistoryItem completed) {
        Map<String, AttributeValue> item = historyAttributes(serviceKey, completed);
        return AwsCall.run("dynamodb:PutItem history " + completed.sortKey() + " of " + serviceKey, () -> {
            try {
                dynamo.putItem(r -> r.tableName(table).item(item)
                        .conditionExpression("attribute_exists(sk) AND attribute_not_exists(undoneBy)"));
                return true;
            } catch (ConditionalCheckFailedException absentOrDone) {
                return false;
            }
        });
    }

    private static Map<String, AttributeValue> historyAttributes(String serviceKey, HistoryItem h) {
        Map<String, AttributeValue> item = new HashMap<>(key(serviceKey, h.sortKey()));
        put(item, "requestId", s(h.requestId()));
        put(item, "action", s(h.action() == null ? null : h.action().name()));
        put(item, "source", s(h.source()));
        put(item, "outcome", s(h.outcome().name()));
        put(item, "reason", s(h.reason()));
        put(item, "error", s(h.error()));
        put(item, "rollback", s(h.rollback()));
        put(item, "image", s(h.image()));
        put(item, "digest", s(h.digest()));
        put(item, "tag", s(h.tag()));
        put(item, "taskDefinition", s(h.taskDefinition()));
        put(item, "previousTaskDefinition", s(h.previousTaskDefinition()));
        put(item, "releaseTaskDefinition", s(h.releaseTaskDefinition()));
        put(item, "verifiedTaskDefinition", s(h.verifiedTaskDefinition()));
        put(item, "deploymentId", s(h.deploymentId()));
        if (h.reach() != null) {
            put(item, "strategy", s(h.reach().strategy()));
            put(item, "stage", s(h.reach().stage()));
            put(item, "maxProductionPercent", AttributeValue.fromN(String.valueOf(h.reach().maxProductionPercent())));
        }
        put(item, "secretSlots", list(h.secretSlots()));
        put(item, "deregistered", list(h.deregistered()));
        put(item, "warnings", list(h.warnings()));
        put(item, "finishedAt", s(h.finishedAt()));
        put(item, "recordedBy", s(h.recordedBy()));
        put(item, "undoneBy", s(h.undoneBy()));
        put(item, "published", AttributeValue.fromBool(h.published()));
        return item;
    }

    @Override
    public boolean setPublished(String serviceKey, String sortKey, boolean published) {
        return setPublished("history " + sortKey + " of " + serviceKey, key(serviceKey, sortKey), published);
    }

    /**
     * Sets the item's {@code published} flag unless it has that value already (or there is no item); false then. An
     * item written without the flag (the release workflow's record) counts as not published. A claim ({@code true})
     * carries a token of its own, so that the SDK sending the same request again (its answer lost after the write
     * landed) finds its own claim and still answers true, instead of a claim nobody then announces.
     */
    private boolean setPublished(String what, Map<String, AttributeValue> key, boolean published) {
        String claim = UUID.randomUUID().toString();
        return AwsCall.run("dynamodb:UpdateItem " + what, () -> {
            try {
                if (published) {
                    dynamo.updateItem(r -> r.tableName(table).key(key)
                            .conditionExpression("attribute_exists(sk) AND (attribute_not_exists(#published) OR #published <> :value"
                                    + " OR #claim = :claim)")
                            .updateExpression("SET #published = :value, #claim = :claim")
                            .expressionAttributeNames(Map.of("#published", "published", "#claim", "publishClaim"))
                            .expressionAttributeValues(Map.of(":value", AttributeValue.fromBool(true), ":claim", s(claim))));
                } else {
                    dynamo.updateItem(r -> r.tableName(table).key(key)
                            .conditionExpression("attribute_exists(sk) AND (attribute_not_exists(#published) OR #published <> :value)")
                            .updateExpression("SET #published = :value REMOVE #claim")
                            .expressionAttributeNames(Map.of("#published", "published", "#claim", "publishClaim"))
                            .expressionAttributeValues(Map.of(":value", AttributeValue.fromBool(false))));
                }
                return true;
            } catch (ConditionalCheckFailedException already) {
                return false;
            }
        });
    }

    @Override
    public Optional<ReleaseRecord> release(String release) {
        return AwsCall.run("dynamodb:GetItem record of release " + release, () -> {
            Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).key(releaseKey(release)).consistentRead(true)).item();
            return item == null || item.isEmpty() ? Optional.<ReleaseRecord>empty() : Optional.of(releaseRecord(release, item));
        });
    }

    @Override
    public boolean putRelease(ReleaseRecord record) {
        Map<String, AttributeValue> item = new HashMap<>(releaseKey(record.release()));
        put(item, "outcome", s(record.outcome()));
        put(item, "reason", s(record.reason()));
        put(item, "cause", s(record.cause()));
        put(item, "services", s(Json.write(record.services())));
        put(item, "execution", s(record.execution()));
        put(item, "recordedAt", s(record.recordedAt()));
        put(item, "recordedBy", s(record.recordedBy()));
        put(item, "published", AttributeValue.fromBool(record.published()));
        return putUnlessExists("record of release " + record.release(), item);
    }

    @Override
    public boolean setReleasePublished(String release, boolean published) {
        return setPublished("record of release " + release, releaseKey(release), published);
    }

    private static Map<String, AttributeValue> releaseKey(String release) {
        return Map.of("pk", s("rel#" + release), "sk", s(RELEASE));
    }

    /** The services as a list of their own: the release workflow writes them as one JSON string. */
    record Services(List<ReleaseRecord.ServiceEnd> services) {
    }

    private static ReleaseRecord releaseRecord(String release, Map<String, AttributeValue> item) {
        String services = text(item, "services");
        AttributeValue published = item.get("published");
        return new ReleaseRecord(release, text(item, "outcome"), text(item, "reason"), text(item, "cause"),
                services == null ? List.of() : Json.read("{\"services\":" + services + "}", Services.class).services(),
                text(item, "execution"), text(item, "recordedAt"), text(item, "recordedBy"),
                published != null && Boolean.TRUE.equals(published.bool()));
    }

    private Optional<Map<String, AttributeValue>> get(String serviceKey, String sortKey) {
        return AwsCall.run("dynamodb:GetItem " + sortKey + " of " + serviceKey, () -> {
            Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).key(key(serviceKey, sortKey)).consistentRead(true)).item();
            return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item);
        });
    }

    private static String pk(String serviceKey) {
        return "svc#" + serviceKey;
    }

    private static Map<String, AttributeValue> key(String serviceKey, String sortKey) {
        return Map.of("pk", s(pk(serviceKey)), "sk", s(sortKey));
    }

    /** Adds {@code #name = :name} (or {@code if_not_exists}) to an update; null values are left out. */
    private static void set(List<String> sets, Map<String, String> names, Map<String, AttributeValue> values,
            String name, AttributeValue value, boolean keepExisting) {
        if (value == null) {
            return;
        }
        names.put("#" + name, name);
        values.put(":" + name, value);
        sets.add(keepExisting ? "#" + name + " = if_not_exists(#" + name + ", :" + name + ")" : "#" + name + " = :" + name);
    }

    private static void put(Map<String, AttributeValue> item, String name, AttributeValue value) {
        if (value != null) {
            item.put(name, value);
        }
    }

    private static AttributeValue s(String value) {
        return value == null ? null : AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    private static AttributeValue list(List<String> values) {
        return AttributeValue.fromL(values.stream().map(AttributeValue::fromS).toList());
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
    }

    private static List<String> strings(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || !value.hasL() ? List.of() : value.l().stream().map(AttributeValue::s).toList();
    }

    private static Action action(Map<String, AttributeValue> item) {
        String value = text(item, "action");
        return value == null ? null : Action.valueOf(value);
    }

    private static LockItem lockItem(Map<String, AttributeValue> item) {
        return new LockItem(text(item, "holder"), text(item, "executionArn"), action(item), text(item, "digest"), text(item, "image"),
                number(item, "orderAt"), number(item, "arrival"), number(item, "acquiredAt"), number(item, "expiresAt"),
                flag(item, "closing"), flag(item, "kept"));
    }

    private static boolean flag(Map<String, AttributeValue> item, String name) {
        return item.get(name) != null && Boolean.TRUE.equals(item.get(name).bool());
    }

    private static WaiterItem waiterItem(Map<String, AttributeValue> item) {
        return new WaiterItem(text(item, "requestId"), action(item), text(item, "digest"), text(item, "image"),
                number(item, "orderAt"), number(item, "arrival"), number(item, "registeredAt"), number(item, "expiresAt"),
                text(item, "turnToken"), text(item, "live"));
    }

    private static HistoryItem historyItem(Map<String, AttributeValue> item) {
        AttributeValue published = item.get("published");
        return new HistoryItem(text(item, "sk"), text(item, "requestId"), action(item), text(item, "source"),
                Outcome.valueOf(text(item, "outcome")), text(item, "reason"), text(item, "error"), text(item, "rollback"),
                text(item, "image"), text(item, "digest"), text(item, "tag"), text(item, "taskDefinition"),
                text(item, "previousTaskDefinition"), text(item, "releaseTaskDefinition"), text(item, "verifiedTaskDefinition"),
                text(item, "deploymentId"), reach(item), strings(item, "secretSlots"), strings(item, "deregistered"), strings(item, "warnings"),
                text(item, "finishedAt"), text(item, "recordedBy"), text(item, "undoneBy"), published != null && Boolean.TRUE.equals(published.bool()));
    }

    private static RolloutReach reach(Map<String, AttributeValue> item) {
        AttributeValue max = item.get("maxProductionPercent");
        return text(item, "strategy") == null ? null : new RolloutReach(text(item, "strategy"), text(item, "stage"),
                max == null || max.n() == null ? 0 : Double.parseDouble(max.n()));
    }
}
