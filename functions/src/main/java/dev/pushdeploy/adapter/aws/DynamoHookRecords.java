package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.rollout.HookRecords;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * {@link HookRecords} in the deployment table: one item per service deployment,
 * {@code hook#<service deployment ARN>} / {@code hook}, expiring after {@value #KEEP_DAYS} days
 * (TTL attribute {@code expiresAt}). The highest production share is raised by a conditional write, sent only
 * when the record's share, as the first write answers it (the whole item after it), is lower; the first failure is kept.
 */
public final class DynamoHookRecords implements HookRecords {
    static final int KEEP_DAYS = 30;
    private static final String SK = "hook";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoHookRecords(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void record(HookRecord invocation) {
        Map<String, AttributeValue> key = key(invocation.serviceDeploymentArn());
        Map<String, String> names = new HashMap<>(Map.of("#stage", "stage", "#status", "status", "#at", "at",
                "#service", "serviceKey", "#expires", "expiresAt", "#max", "maxPercent"));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(
                ":stage", s(invocation.stage()), ":status", s(invocation.status()), ":at", n(invocation.at()),
                ":service", s(invocation.serviceKey()),
                ":expires", n(invocation.at() / 1000 + Duration.ofDays(KEEP_DAYS).toSeconds()),
                ":percent", AttributeValue.fromN(String.valueOf(invocation.productionPercent()))));
        String update = "SET #stage = :stage, #status = :status, #at = :at, #service = :service, #expires = :expires, "
                + "#max = if_not_exists(#max, :percent)";
        if (invocation.failure() != null) {
            names.put("#failure", "failure");
            values.put(":failure", s(invocation.failure()));
            update += ", #failure = if_not_exists(#failure, :failure)";
        }
        String expression = update;
        Map<String, AttributeValue> updated = AwsCall.run("dynamodb:UpdateItem hook record of " + invocation.serviceDeploymentArn(), () ->
                dynamo.updateItem(r -> r.tableName(table).key(key).updateExpression(expression)
                        .expressionAttributeNames(names).expressionAttributeValues(values)
                        .returnValues(ReturnValue.ALL_NEW)).attributes());
        AttributeValue kept = updated == null ? null : updated.get("maxPercent");
        if (kept != null && kept.n() != null && Double.parseDouble(kept.n()) >= invocation.productionPercent()) {
            return;
        }
        AwsCall.exec("dynamodb:UpdateItem highest share of " + invocation.serviceDeploymentArn(), () -> {
            try {
                dynamo.updateItem(r -> r.tableName(table).key(key).updateExpression("SET #max = :percent")
                        .conditionExpression("#max < :percent")
                        .expressionAttributeNames(Map.of("#max", "maxPercent"))
                        .expressionAttributeValues(Map.of(":percent", values.get(":percent"))));
            } catch (ConditionalCheckFailedException notHigher) {
                // the record already holds this share or a higher one
            }
        });
    }

    @Override
    public Optional<HookRecord> find(String serviceDeploymentArn) {
        Map<String, AttributeValue> item = AwsCall.run("dynamodb:GetItem hook record of " + serviceDeploymentArn, () ->
                dynamo.getItem(r -> r.tableName(table).key(key(serviceDeploymentArn)).consistentRead(true)).item());
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new HookRecord(serviceDeploymentArn, text(item, "serviceKey"), text(item, "stage"),
                item.containsKey("maxPercent") ? Double.parseDouble(item.get("maxPercent").n()) : 0,
                text(item, "status"), text(item, "failure"),
                item.containsKey("at") ? Long.parseLong(item.get("at").n()) : 0));
    }

    private static Map<String, AttributeValue> key(String serviceDeploymentArn) {
        return Map.of("pk", s("hook#" + serviceDeploymentArn), "sk", s(SK));
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    private static AttributeValue s(String value) {
        return value == null ? AttributeValue.fromNul(true) : AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(String.valueOf(value));
    }
}
