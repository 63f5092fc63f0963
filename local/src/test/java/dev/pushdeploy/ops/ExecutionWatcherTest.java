package dev.pushdeploy.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionRequest;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionAbortedEventDetails;
import software.amazon.awssdk.services.sfn.model.ExecutionFailedEventDetails;
import software.amazon.awssdk.services.sfn.model.ExecutionRedrivenEventDetails;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryRequest;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.StateEnteredEventDetails;

class ExecutionWatcherTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"status\":\"SUCCEEDED\",\"output\":\"{\\\"final\\\":{\\\"outcome\\\":\\\"SUCCEEDED\\\",\\\"reason\\\":\\\"healthy\\\"}}\"} | SUCCEEDED | healthy",
        "{\"status\":\"SUCCEEDED\",\"output\":\"{\\\"request\\\":{\\\"decision\\\":\\\"IGNORED\\\",\\\"decisionReason\\\":\\\"tag filtered\\\"}}\"} | IGNORED | tag filtered",
        "{\"status\":\"FAILED\",\"error\":\"ROLLED_BACK\",\"cause\":\"task crashed\"} | ROLLED_BACK | task crashed",
        "{\"status\":\"TIMED_OUT\"} | TIMED_OUT | ",
        "{\"status\":\"ABORTED\",\"error\":\"\",\"cause\":\"cancelled with pushdeploy cancel\"} | ABORTED | cancelled with pushdeploy cancel"})
    void theOutcomeAndReasonComeFromTheExecution(String description, String outcome, String reason) {
        JsonNode parsed = Json.tree(description);
        assertEquals(outcome, History.outcome(parsed));
        assertEquals(reason, History.reason(parsed));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"verdict\":\"IN_PROGRESS\",\"reason\":\"1/2 tasks running\"} | IN_PROGRESS — 1/2 tasks running",
        "{\"decision\":\"REJECTED\",\"decisionReason\":\"image: bad digest\"} | REJECTED — image: bad digest",
        "{\"status\":\"WAITING\",\"reason\":\"held by run-1\"} | WAITING — held by run-1",
        "{\"secrets\":[{\"name\":\"KEY\",\"slot\":\"b\"}]} | KEY → slot b",
        "{\"taskDefinition\":\"arn:aws:ecs:us-east-1:1:task-definition/web:3\",\"created\":true} | registered web:3",
        "{\"deploymentId\":\"ecs-svc/1\",\"taskDefinition\":\"arn:aws:ecs:us-east-1:1:task-definition/web:2\",\"started\":false} | already on it: deployment ecs-svc/1 → web:2",
        "{\"taskDefinition\":\"arn:aws:ecs:us-east-1:1:task-definition/web:2\",\"started\":false,\"serviceDeploymentArn\":\"arn:aws:ecs:us-east-1:1:service-deployment/c/web/Atdp2W4\"} | already on it: service deployment Atdp2W4 → web:2",
        "{\"taskDefinition\":\"arn:aws:ecs:us-east-1:1:task-definition/web:2\",\"started\":true} | deployment (id unknown) → web:2",
        "{\"outcome\":\"ROLLED_BACK\",\"reason\":\"crash\"} | ROLLED_BACK — crash"})
    void eachFunctionsAnswerIsDescribedInOneLine(String answer, String line) {
        assertEquals(line, ExecutionWatcher.describe(Json.tree(answer)));
    }

    /**
     * A run stopped in WaitForRollout, redriven, and failing again, as GetExecutionHistory answers it: each end and the
     * redrive get a line, so what follows the first end is not read as the same run going on.
     */
    @Test
    void eachEndOfTheExecutionAndItsRedriveGetALine() {
        Instant start = Instant.parse("2026-12-03T10:00:00Z");
        List<HistoryEvent> events = List.of(
                event(1, start, "ExecutionStarted").build(),
                event(2, start.plusSeconds(1), "WaitStateEntered").stateEnteredEventDetails(StateEnteredEventDetails.builder()
                        .name("WaitForRollout").build()).build(),
                event(3, start.plusSeconds(30), "ExecutionAborted").executionAbortedEventDetails(ExecutionAbortedEventDetails.builder()
                        .cause("cancelled with pushdeploy cancel").build()).build(),
                event(4, start.plusSeconds(600), "ExecutionRedriven").executionRedrivenEventDetails(ExecutionRedrivenEventDetails.builder()
                        .redriveCount(1).build()).build(),
                event(5, start.plusSeconds(601), "FailStateEntered").stateEnteredEventDetails(StateEnteredEventDetails.builder()
                        .name("AbortedFail").build()).build(),
                event(6, start.plusSeconds(601), "ExecutionFailed").executionFailedEventDetails(ExecutionFailedEventDetails.builder()
                        .error("ABORTED").cause("stopped while WaitForRollout").build()).build());
        SfnClient sfn = new SfnClient() {
            @Override
            public GetExecutionHistoryResponse getExecutionHistory(GetExecutionHistoryRequest request) {
                return GetExecutionHistoryResponse.builder().events(events).build();
            }

            @Override
            public DescribeExecutionResponse describeExecution(DescribeExecutionRequest request) {
                return DescribeExecutionResponse.builder().executionArn(request.executionArn()).status("FAILED").build();
            }

            @Override
            public String serviceName() {
                return "states";
            }

            @Override
            public void close() {
            }
        };
        List<String> lines = new ArrayList<>();

        new ExecutionWatcher(new StepFunctions(sfn), "arn:aws:states:us-east-1:1:execution:sm:run", l -> lines.add(l.format()))
                .await((arn, wait) -> true, false, Duration.ofSeconds(5));

        assertEquals(List.of(
                "   30.0s  (execution aborted)      cancelled with pushdeploy cancel",
                "  600.0s  (execution redriven)     redrive 1: it goes on from the state it ended in",
                "  601.0s  AbortedFail",
                "  601.0s  (execution failed)       ABORTED: stopped while WaitForRollout"), lines);
    }

    private static HistoryEvent.Builder event(long id, Instant at, String type) {
        return HistoryEvent.builder().id(id).timestamp(at).type(type);
    }
}
