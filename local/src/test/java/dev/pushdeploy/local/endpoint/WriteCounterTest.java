package dev.pushdeploy.local.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WriteCounterTest {
    @ParameterizedTest
    @CsvSource({
        "PutParameter, true", "RegisterTaskDefinition, true", "UpdateService, true", "DeleteItem, true",
        "DeregisterTaskDefinition, true", "Publish, true", "PutEvents, true", "TransactWriteItems, true",
        "LabelParameterVersion, true", "CreateLogStream, true", "StartExecution, true",
        "DescribeServices, false", "GetParameter, false", "ListTasks, false", "Query, false", "Scan, false",
        "BatchGetImage, false", "DescribeTargetHealth, false", "GetItem, false"})
    void mutatingOperationsAreKnownByTheirNames(String operation, boolean mutating) {
        assertEquals(mutating, WriteCounter.isMutating(operation));
    }

    @Test
    void acceptedWritesCountForTheExecutionNamedInTheHeader() {
        WriteCounter counter = new WriteCounter();
        counter.record(call("PutParameter", "ssm", "run-1"), 200);
        counter.record(call("GetParameter", "ssm", "run-1"), 200);
        counter.record(call("PutItem", "dynamodb", "run-1"), 400);
        counter.record(call("UpdateService", "ecs", "run-2"), 200);
        assertEquals(List.of("ssm:PutParameter"), counter.writes("run-1"));
        assertEquals(List.of("ecs:UpdateService"), counter.writes("run-2"));
    }

    @Test
    void untaggedWritesBelongToTheOnlyRunningExecutionIfThereIsOne() {
        WriteCounter counter = new WriteCounter();
        counter.executionStarted("run-1");
        counter.record(call("PutItem", "dynamodb", null), 200);
        counter.executionStarted("run-2");
        counter.record(call("PutItem", "dynamodb", null), 200);
        counter.executionEnded("run-2");
        assertEquals(List.of("dynamodb:PutItem"), counter.writes("run-1"));
        assertEquals(List.of(), counter.writes("run-2"));
    }

    @Test
    void theRuntimesOwnRequestsNeverCount() {
        WriteCounter counter = new WriteCounter();
        counter.executionStarted("run-1");
        AwsRequest internal = new AwsRequest("POST", "/", null, Map.of(
                "X-Amz-Target", List.of("AmazonSSM.PutParameter"),
                ExecutionScope.INTERNAL_HEADER, List.of("true")), new byte[0]);
        counter.record(internal, 200);
        assertEquals(List.of(), counter.writes("run-1"));
    }

    static AwsRequest call(String operation, String service, String execution) {
        Map<String, List<String>> headers = new HashMap<>();
        headers.put("X-Amz-Target", List.of("Service." + operation));
        headers.put("Authorization", List.of(AwsRequestTest.SIGNATURE.formatted(service)));
        if (execution != null) {
            headers.put(ExecutionScope.HEADER, List.of(execution));
        }
        return new AwsRequest("POST", "/", null, headers, new byte[0]);
    }
}
