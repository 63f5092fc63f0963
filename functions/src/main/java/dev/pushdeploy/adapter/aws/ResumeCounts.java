package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.error.AwsFailureException;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * A run's resumes by events, counted in the ledger's table: item {@code <pk>} / {@code resumes#<requestId>} with
 * {@code count} and {@code expiresAt} (the table's TTL), raised by one conditional UpdateItem up to a bound.
 */
final class ResumeCounts {
    private ResumeCounts() {
    }

    /** Counts one more resume of the run unless it has had {@code max}: whether it was counted. */
    static boolean count(DynamoDbClient dynamo, String table, String pk, String requestId, long expiresAt, int max) {
        try {
            AwsCall.exec("dynamodb:UpdateItem resumes of " + requestId + " in " + pk, () -> dynamo.updateItem(r -> r.tableName(table)
                    .key(Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS("resumes#" + requestId)))
                    .updateExpression("SET expiresAt = :expiresAt ADD #count :one")
                    .conditionExpression("attribute_not_exists(#count) OR #count < :max")
                    .expressionAttributeNames(Map.of("#count", "count"))
                    .expressionAttributeValues(Map.of(":expiresAt", AttributeValue.fromN(Long.toString(expiresAt)),
                            ":one", AttributeValue.fromN("1"), ":max", AttributeValue.fromN(Integer.toString(max))))));
            return true;
        } catch (AwsFailureException e) {
            if (!(e.getCause() instanceof ConditionalCheckFailedException)) {
                throw e;
            }
            return false;
        }
    }
}
