package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.request.ScanWatch;
import dev.pushdeploy.request.ScanWatches;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * {@link ScanWatches} in the ledger's table: item {@code scan#<repository>} / {@code watch#<cluster>/<service>@<digest>}
 * with the task token, the request (JSON), {@code expiresAt} (the table's TTL) and the task's retries; a run's resumes by
 * scan events in {@code scan#<repository>} / {@code resumes#<requestId>} ({@code count}, {@code expiresAt}).
 */
public final class DynamoScanWatches implements ScanWatches {
    private static final String WATCH = "watch#";
    /**
     * The most watches of one repository an event looks at: as many as runs of its services wait for a scan, plus those past
     * their time that the table's TTL has not yet deleted (within days); more pages than one are read up to this bound.
     */
    static final int MAX_WATCHES = 1_000;
    private static final int PAGE = 100;

    private final Supplier<DynamoDbClient> dynamo;
    private final String table;

    /** @param dynamo the client, built on first use (the gate's first look never needs it) */
    public DynamoScanWatches(Supplier<DynamoDbClient> dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void register(ScanWatch watch) {
        DeployRequest request = watch.request();
        Map<String, AttributeValue> item = new HashMap<>(key(request.repository(), request.digest(), request.serviceKey()));
        item.put("token", AttributeValue.fromS(watch.token()));
        item.put("request", AttributeValue.fromS(Json.write(request)));
        item.put("expiresAt", AttributeValue.fromN(Long.toString(watch.expiresAt())));
        item.put("retries", AttributeValue.fromN(Integer.toString(watch.retries())));
        AwsCall.exec("dynamodb:PutItem scan watch of " + image(request.repository(), request.digest()),
                () -> dynamo.get().putItem(r -> r.tableName(table).item(item)));
    }

    @Override
    public List<ScanWatch> find(String repository) {
        var items = AwsCall.run("dynamodb:Query scan watches of " + repository, () -> dynamo.get().queryPaginator(r -> r
                .tableName(table).consistentRead(true).limit(PAGE)
                .keyConditionExpression("pk = :pk AND begins_with(sk, :watch)")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk(repository)),
                        ":watch", AttributeValue.fromS(WATCH)))).items().stream().limit(MAX_WATCHES).toList());
        return items.stream().map(item -> new ScanWatch(item.get("token").s(),
                Json.read(item.get("request").s(), DeployRequest.class), Long.parseLong(item.get("expiresAt").n()),
                item.containsKey("retries") ? Integer.parseInt(item.get("retries").n()) : 0)).toList();
    }

    @Override
    public void remove(ScanWatch watch) {
        DeployRequest request = watch.request();
        try {
            AwsCall.exec("dynamodb:DeleteItem scan watch of " + image(request.repository(), request.digest()), () -> dynamo.get()
                    .deleteItem(r -> r.tableName(table).key(key(request.repository(), request.digest(), request.serviceKey()))
                            .conditionExpression("#token = :token")
                            .expressionAttributeNames(Map.of("#token", "token"))
                            .expressionAttributeValues(Map.of(":token", AttributeValue.fromS(watch.token())))));
        } catch (AwsFailureException e) {
            if (!(e.getCause() instanceof ConditionalCheckFailedException)) {
                throw e;
            }
        }
    }

    @Override
    public boolean countResume(ScanWatch watch, int max) {
        return ResumeCounts.count(dynamo.get(), table, pk(watch.request().repository()), watch.request().requestId(), watch.expiresAt(), max);
    }

    private static Map<String, AttributeValue> key(String repository, String digest, String serviceKey) {
        return Map.of("pk", AttributeValue.fromS(pk(repository)), "sk", AttributeValue.fromS(WATCH + serviceKey + "@" + digest));
    }

    private static String pk(String repository) {
        return "scan#" + repository;
    }

    private static String image(String repository, String digest) {
        return repository + "@" + digest;
    }
}
