package dev.pushdeploy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.ops.StepFunctions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.InvalidTokenException;
import software.amazon.awssdk.services.sfn.model.SfnException;

/**
 * GetExecutionHistory answers in pages, as Step Functions does: 100 events unless maxResults asks for up to 1,000,
 * oldest first or newest first (reverseOrder), a nextToken while events are left; an unknown token is InvalidToken.
 * Readers of long histories page through them, and one that wants the newest events asks for them first (a follower
 * reads only the events after those it has so).
 */
@ExtendWith(EmulatorExtension.class)
class HistoryPagesIT {
    private static final String ROLE = "arn:aws:iam::123456789012:role/states";
    private static final String COUNTER = """
            {"StartAt": "Count", "States": {
              "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "More"},
              "More": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": 60, "Next": "Count"}], "Default": "Done"},
              "Done": {"Type": "Succeed"}}}
            """;

    @Test
    void aLongHistoryComesInPages(Emulator emulator) throws InterruptedException {
        emulator.reset();
        SfnClient sfn = emulator.client(SfnClient.builder());
        String machine = sfn.createStateMachine(r -> r.name("counter").roleArn(ROLE).definition(COUNTER)).stateMachineArn();
        String arn = sfn.startExecution(r -> r.stateMachineArn(machine).name("sixty").input("{\"n\": 0}")).executionArn();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (sfn.describeExecution(r -> r.executionArn(arn)).statusAsString().equals("RUNNING") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        int total = 2 + 60 * 4 + 2;

        GetExecutionHistoryResponse first = sfn.getExecutionHistory(r -> r.executionArn(arn));
        assertEquals(ids(1, 100), ids(first.events()), "the first 100, oldest first");
        assertNotNull(first.nextToken());
        assertEquals(ids(1, total), ids(pages(sfn, arn, false, 0)), "paged by the default size, each event once");
        assertEquals(ids(total, 1), ids(pages(sfn, arn, true, 37)), "newest first, pages of 37");
        GetExecutionHistoryResponse newest = sfn.getExecutionHistory(r -> r.executionArn(arn).reverseOrder(true).maxResults(1));
        assertEquals("ExecutionSucceeded", newest.events().get(0).typeAsString());
        GetExecutionHistoryResponse all = sfn.getExecutionHistory(r -> r.executionArn(arn).maxResults(1000));
        assertEquals(total, all.events().size());
        assertNull(all.nextToken(), "nothing left");
        List<Long> read = new ArrayList<>();
        new StepFunctions(sfn).history(arn).forEach(event -> read.add(event.path("id").asLong()));
        assertEquals(ids(1, total), read, "the operator's reader");
        StepFunctions reader = new StepFunctions(sfn);
        ArrayNode whole = reader.history(arn);
        for (int known : new int[] {1, 100, total - 1, total}) {
            ArrayNode before = Json.mapper().createArrayNode();
            whole.forEach(event -> {
                if (before.size() < known) {
                    before.add(event);
                }
            });
            assertEquals(whole, reader.history(arn, before), "the follower's reader of the events after the first " + known);
        }

        assertThrows(InvalidTokenException.class, () -> sfn.getExecutionHistory(r -> r.executionArn(arn).nextToken("not-a-token")));
        String forward = first.nextToken();
        assertThrows(InvalidTokenException.class,
                () -> sfn.getExecutionHistory(r -> r.executionArn(arn).reverseOrder(true).nextToken(forward)), "a token of another order");
        SfnException tooMany = assertThrows(SfnException.class, () -> sfn.getExecutionHistory(r -> r.executionArn(arn).maxResults(1001)));
        assertEquals("ValidationException", tooMany.awsErrorDetails().errorCode());
    }

    private static List<HistoryEvent> pages(SfnClient sfn, String arn, boolean reverse, int size) {
        List<HistoryEvent> events = new ArrayList<>();
        String token = null;
        do {
            String page = token;
            GetExecutionHistoryResponse response = sfn.getExecutionHistory(r -> r.executionArn(arn).reverseOrder(reverse)
                    .maxResults(size).nextToken(page));
            events.addAll(response.events());
            token = response.nextToken();
        } while (token != null);
        return events;
    }

    private static List<Long> ids(List<HistoryEvent> events) {
        return events.stream().map(HistoryEvent::id).toList();
    }

    private static List<Long> ids(int from, int to) {
        return (from <= to ? IntStream.rangeClosed(from, to) : IntStream.rangeClosed(to, from).map(i -> from + to - i))
                .mapToObj(i -> (long) i).toList();
    }
}
