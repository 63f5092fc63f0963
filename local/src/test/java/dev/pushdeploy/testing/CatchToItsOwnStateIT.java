package dev.pushdeploy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pushdeploy.ops.Json;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A caught error goes to the catcher's Next, also when that is the state that failed, as the deploy workflow's
 * WaitForRollout catches its own States.Timeout to watch again. moto's interpreter went to the state's own Next
 * instead (it took a next state equal to the current one for "no catcher set it").
 */
@ExtendWith(EmulatorExtension.class)
class CatchToItsOwnStateIT {
    private static final String ROLE = "arn:aws:iam::123456789012:role/states";
    private static final String WATCH = """
            {"StartAt": "Watch", "States": {
              "Watch": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "TimeoutSeconds": 1,
                "Parameters": {"QueueUrl": "%s", "MessageBody": {"token.$": "$$.Task.Token"}},
                "ResultPath": "$.answer",
                "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.recheck", "Next": "Watch"}],
                "Next": "Answered"},
              "Answered": {"Type": "Succeed"}}}
            """;

    @Test
    void aTimeoutCaughtToItsOwnStateWaitsAgain(Emulator emulator) throws Exception {
        emulator.reset();
        SfnClient sfn = emulator.client(SfnClient.builder());
        SqsClient sqs = emulator.client(SqsClient.builder());
        String queue = sqs.createQueue(r -> r.queueName("watch")).queueUrl();
        String machine = sfn.createStateMachine(r -> r.name("watch").roleArn(ROLE).definition(WATCH.formatted(queue)))
                .stateMachineArn();
        String arn = sfn.startExecution(r -> r.stateMachineArn(machine).name("watched").input("{}")).executionArn();

        long deadline = System.nanoTime() + 60_000_000_000L;
        while (entered(sfn, arn).size() < 2 && !ended(sfn, arn)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no second Watch within a minute: " + entered(sfn, arn));
            }
            Thread.sleep(50);
        }
        assertEquals(List.of("Watch", "Watch"), entered(sfn, arn).subList(0, 2), "the timeout went back to Watch");
        String secondInput = sfn.getExecutionHistoryPaginator(r -> r.executionArn(arn).maxResults(1000)).events().stream()
                .filter(e -> e.stateEnteredEventDetails() != null).skip(1).findFirst().orElseThrow()
                .stateEnteredEventDetails().input();
        assertEquals("States.Timeout", Json.tree(secondInput).path("recheck").path("Error").asText(), secondInput);
        sfn.stopExecution(r -> r.executionArn(arn));
    }

    private static boolean ended(SfnClient sfn, String arn) {
        return !sfn.describeExecution(r -> r.executionArn(arn)).statusAsString().equals("RUNNING");
    }

    private static List<String> entered(SfnClient sfn, String arn) {
        return sfn.getExecutionHistoryPaginator(r -> r.executionArn(arn).maxResults(1000)).events().stream()
                .filter(e -> e.stateEnteredEventDetails() != null)
                .map(HistoryEvent::stateEnteredEventDetails).map(d -> d.name()).toList();
    }
}
