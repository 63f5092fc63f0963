package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.rollout.RolloutWatches;
import dev.pushdeploy.rollout.Watch;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * {@link RolloutWatches} in the ledger's table: item {@code svc#<cluster>/<service>} / {@code watch}
 * with the task token, the request and the rollout (JSON), {@code expiresAt} (the table's TTL) and the task's retries;
 * a run's resumes by events in {@code svc#<cluster>/<service>} / {@code resumes#<requestId>} ({@code count}, {@code expiresAt}).
 */
public final class DynamoRolloutWatches implements RolloutWatches {
    private static final String WATCH = "watch";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoRolloutWatches(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void register(Watch watch) {
        Map<String, AttributeValue> item = new java.util.HashMap<>(key(watch.request().cluster(), watch.request().service()));
        item.put("token", AttributeValue.fromS(watch.token()));
        item.put("request", AttributeValue.fromS(Json.write(watch.request())));
        item.put("rollout", AttributeValue.fromS(Json.write(watch.rollout())));
        if (watch.release() != null) {
            item.put("release", AttributeValue.fromS(Json.write(watch.release())));
        }
        item.put("expiresAt", AttributeValue.fromN(Long.toString(watch.expiresAt())));
        item.put("retries", AttributeValue.fromN(Integer.toString(watch.retries())));
        AwsCall.exec("dynamodb:PutItem watch of " + serviceKey(watch.request().cluster(), watch.request().service()),
                () -> dynamo.putItem(r -> r.tableName(table).item(item)));
    }

    @Override
    public Optional<Watch> find(String cluster, String service) {
        Map<String, AttributeValue> item = AwsCall.run("dynamodb:GetItem watch of " + serviceKey(cluster, service),
                () -> dynamo.getItem(r -> r.tableName(table).key(key(cluster, service)).consistentRead(true))).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Watch(item.get("token").s(), Json.read(item.get("request").s(), DeployRequest.class),
                Json.read(item.get("rollout").s(), Rollout.class),
                item.containsKey("release") ? Json.read(item.get("release").s(), Release.class) : null,
                Long.parseLong(item.get("expiresAt").n()), item.containsKey("retries") ? Integer.parseInt(item.get("retries").n()) : 0));
    }

    @Override
    public void remove(String cluster, String service, String token) {
        try {
            AwsCall.exec("dynamodb:DeleteItem watch of " + serviceKey(cluster, service), () -> dynamo.deleteItem(r -> r
                    .tableName(table).key(key(cluster, service))
                    .conditionExpression("#token = :token")
                    .expressionAttributeNames(Map.of("#token", "token"))
                    .expressionAttributeValues(Map.of(":token", AttributeValue.fromS(token)))));
        } catch (dev.pushdeploy.error.AwsFailureException e) {
            if (!(e.getCause() instanceof ConditionalCheckFailedException)) {
                throw e;
            }
        }
    }

    @Override
    public boolean countResume(Watch watch, int max) {
        return ResumeCounts.count(dynamo, table, "svc#" + serviceKey(watch.request().cluster(), watch.request().service()),
                watch.request().requestId(), watch.expiresAt(), max);
    }

    private static Map<String, AttributeValue> key(String cluster, String service) {
        return Map.of("pk", AttributeValue.fromS("svc#" + serviceKey(cluster, service)), "sk", AttributeValue.fromS(WATCH));
    }

    private static String serviceKey(String cluster, String service) {
        return cluster + "/" + service;
    }
}
