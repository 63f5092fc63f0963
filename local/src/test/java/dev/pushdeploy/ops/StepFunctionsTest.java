package dev.pushdeploy.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

class StepFunctionsTest {
    @Test
    void aServerErrorOfAReadIsTriedAgainAFewTimesAClientErrorIsNot() {
        int[] calls = {0};
        assertEquals("ok", StepFunctions.read(() -> {
            if (++calls[0] < StepFunctions.READ_ATTEMPTS) {
                throw software.amazon.awssdk.core.exception.SdkServiceException.builder().statusCode(502).build();
            }
            return "ok";
        }));
        assertEquals(StepFunctions.READ_ATTEMPTS, calls[0]);

        calls[0] = 0;
        org.junit.jupiter.api.Assertions.assertThrows(software.amazon.awssdk.core.exception.SdkServiceException.class, () ->
                StepFunctions.read(() -> {
                    calls[0]++;
                    throw software.amazon.awssdk.core.exception.SdkServiceException.builder().statusCode(500).build();
                }));
        assertEquals(StepFunctions.READ_ATTEMPTS, calls[0], "then the error stands");

        calls[0] = 0;
        org.junit.jupiter.api.Assertions.assertThrows(software.amazon.awssdk.core.exception.SdkServiceException.class, () ->
                StepFunctions.read(() -> {
                    calls[0]++;
                    throw software.amazon.awssdk.core.exception.SdkServiceException.builder().statusCode(400).build();
                }));
        assertEquals(1, calls[0], "a client error is an answer");
    }

    @Test
    void sdkAnswersAreReadInTheServicesWireShape() {
        JsonNode event = StepFunctions.json(HistoryEvent.builder().id(7L).type(HistoryEventType.TASK_STATE_EXITED)
                .timestamp(Instant.ofEpochMilli(1_700_000_000_250L))
                .stateExitedEventDetails(d -> d.name("Prepare").output("{\"request\":{}}")).build());
        assertEquals("TaskStateExited", event.path("type").asText());
        assertEquals(1_700_000_000.25, event.path("timestamp").asDouble());
        assertEquals("Prepare", event.path("stateExitedEventDetails").path("name").asText());
        assertEquals("{\"request\":{}}", event.path("stateExitedEventDetails").path("output").asText());
        assertEquals(7, event.path("id").asInt());

        JsonNode description = StepFunctions.json(DescribeExecutionResponse.builder().executionArn("arn:x").status(ExecutionStatus.FAILED)
                .error("ROLLED_BACK").cause("crash").startDate(Instant.ofEpochSecond(10)).stopDate(Instant.ofEpochSecond(25)).build());
        assertEquals("FAILED", description.path("status").asText());
        assertEquals("ROLLED_BACK", History.outcome(description));
        assertEquals("crash", History.reason(description));
        assertEquals(15.0, description.path("stopDate").asDouble() - description.path("startDate").asDouble());
    }
}
