package dev.pushdeploy.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

/**
 * The emulator's DynamoDB writes answer ConsumedCapacity as DynamoDB's API reference says: only when the
 * request's ReturnConsumedCapacity asks for it. The functions
 * never ask, so on AWS their first write parses (and their cold start loads) no capacity; an emulator that
 * answered more would make them look slower than they are.
 */
@ExtendWith(EmulatorExtension.class)
class DynamoWriteResponsesIT {
    private static final Map<String, AttributeValue> KEY = Map.of(World.PARTITION_KEY, AttributeValue.fromS("svc#fidelity"),
            World.SORT_KEY, AttributeValue.fromS("lock"));

    private final StringBuilder answered = new StringBuilder();
    private DynamoDbClient dynamo;

    @BeforeEach
    void table(Emulator emulator) {
        World.create(emulator);
        dynamo = emulator.client(DynamoDbClient.builder().overrideConfiguration(o -> o.addExecutionInterceptor(new BodyTap())));
    }

    @Test
    void writesAnswerNoCapacityUnlessAskedFor() {
        assertAnswersWithout("PutItem", () -> dynamo.putItem(r -> r.tableName(World.TABLE).item(item())));
        assertAnswersWithout("UpdateItem", () -> dynamo.updateItem(r -> r.tableName(World.TABLE).key(KEY)
                .updateExpression("SET holder = :h").expressionAttributeValues(Map.of(":h", AttributeValue.fromS("b")))));
        assertAnswersWithout("DeleteItem", () -> dynamo.deleteItem(r -> r.tableName(World.TABLE).key(KEY)));
    }

    @Test
    void writesAnswerTheirCapacityWhenAskedFor() {
        ReturnConsumedCapacity total = ReturnConsumedCapacity.TOTAL;
        assertAnswersWith("PutItem", () -> dynamo.putItem(r -> r.tableName(World.TABLE).item(item()).returnConsumedCapacity(total)));
        assertAnswersWith("UpdateItem", () -> dynamo.updateItem(r -> r.tableName(World.TABLE).key(KEY)
                .updateExpression("SET holder = :h").expressionAttributeValues(Map.of(":h", AttributeValue.fromS("b")))
                .returnConsumedCapacity(total)));
        assertAnswersWith("DeleteItem", () -> dynamo.deleteItem(r -> r.tableName(World.TABLE).key(KEY).returnConsumedCapacity(total)));
    }

    private static Map<String, AttributeValue> item() {
        Map<String, AttributeValue> item = new HashMap<>(KEY);
        item.put("holder", AttributeValue.fromS("a"));
        return item;
    }

    private void assertAnswersWithout(String operation, Runnable call) {
        String body = answer(call);
        assertFalse(body.contains("ConsumedCapacity"), operation + " answered capacity nobody asked for: " + body);
    }

    private void assertAnswersWith(String operation, Runnable call) {
        String body = answer(call);
        assertTrue(body.contains("\"ConsumedCapacity\""), operation + " answered no capacity though asked: " + body);
    }

    private String answer(Runnable call) {
        answered.setLength(0);
        call.run();
        return answered.toString();
    }

    /** Copies each answer's body as the emulator sent it, before the SDK reads it. */
    private final class BodyTap implements ExecutionInterceptor {
        @Override
        public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
                ExecutionAttributes executionAttributes) {
            return context.responseBody().map(in -> {
                try (in) {
                    byte[] bytes = in.readAllBytes();
                    answered.append(new String(bytes, StandardCharsets.UTF_8));
                    return new ByteArrayInputStream(bytes);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
