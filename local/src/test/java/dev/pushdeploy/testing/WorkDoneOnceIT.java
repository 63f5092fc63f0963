package dev.pushdeploy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.InvalidDefinitionException;

/**
 * The emulator's launcher parses each JSONPath once and validates each definition once: what it keeps is the
 * parse, never an answer. The same paths read each execution's own input, and a definition is judged on what it
 * says each time it is given, wherever it was given before: an invalid one is refused, each time, with Step
 * Functions' InvalidDefinition (moto answered it with no error type).
 */
@ExtendWith(EmulatorExtension.class)
class WorkDoneOnceIT {
    private static final String ROLE = "arn:aws:iam::123456789012:role/states";
    private static final String PICK = """
            {"StartAt": "Pick", "States": {
              "Pick": {"Type": "Pass", "InputPath": "$.in", "Parameters": {"v.$": "$.x", "first.$": "$.list[0]"},
                       "ResultPath": "$.picked", "Next": "Which"},
              "Which": {"Type": "Choice", "Choices": [{"Variable": "$.picked.v", "NumericGreaterThan": 1, "Next": "Big"}],
                        "Default": "Small"},
              "Big": {"Type": "Pass", "Result": "big", "ResultPath": "$.size", "OutputPath": "$", "End": true},
              "Small": {"Type": "Pass", "Result": "small", "ResultPath": "$.size", "End": true}}}
            """;
    private static final String FAILS_WHEN_ASKED = """
            {"StartAt": "First", "States": {
              "First": {"Type": "Pass", "Result": "ran", "ResultPath": "$.first", "Next": "Check"},
              "Check": {"Type": "Choice", "Choices": [{"Variable": "$.fail", "BooleanEquals": true, "Next": "Boom"}],
                        "Default": "Done"},
              "Boom": {"Type": "Fail", "Error": "Asked"},
              "Done": {"Type": "Succeed"}}}
            """;
    private static final String BROKEN = """
            {"StartAt": "Here", "States": {"Here": {"Type": "Nope"}}}
            """;

    @Test
    void theSamePathsReadEachExecutionsOwnInput(Emulator emulator) throws InterruptedException {
        emulator.reset();
        SfnClient sfn = emulator.client(SfnClient.builder());
        String machine = sfn.createStateMachine(r -> r.name("pick").roleArn(ROLE).definition(PICK)).stateMachineArn();
        List<String> outputs = new java.util.ArrayList<>();
        for (int x : List.of(1, 2, 1)) {
            String arn = sfn.startExecution(r -> r.stateMachineArn(machine).name("pick-" + outputs.size())
                    .input("{\"in\": {\"x\": " + x + ", \"list\": [" + (10 * x) + ", 0]}}")).executionArn();
            outputs.add(await(sfn, arn));
        }
        assertEquals(List.of(
                "{\"in\":{\"x\":1,\"list\":[10,0]},\"picked\":{\"v\":1,\"first\":10},\"size\":\"small\"}",
                "{\"in\":{\"x\":2,\"list\":[20,0]},\"picked\":{\"v\":2,\"first\":20},\"size\":\"big\"}",
                "{\"in\":{\"x\":1,\"list\":[10,0]},\"picked\":{\"v\":1,\"first\":10},\"size\":\"small\"}"),
                outputs.stream().map(o -> o.replace(" ", "")).toList());
    }

    /** A redrive restarts its execution's own program in the state it ended in; the next execution starts at StartAt. */
    @Test
    void eachExecutionRunsItsOwnProgram(Emulator emulator) throws InterruptedException {
        emulator.reset();
        SfnClient sfn = emulator.client(SfnClient.builder());
        String machine = sfn.createStateMachine(r -> r.name("asked").roleArn(ROLE).definition(FAILS_WHEN_ASKED)).stateMachineArn();
        String failed = sfn.startExecution(r -> r.stateMachineArn(machine).name("failed").input("{\"fail\": true}")).executionArn();
        assertEquals("FAILED", ended(sfn, failed));
        sfn.redriveExecution(r -> r.executionArn(failed));
        assertEquals("FAILED", ended(sfn, failed));
        assertEquals(List.of("First", "Check", "Boom", "Boom"), entered(sfn, failed), "the redrive resumed in Boom");

        String next = sfn.startExecution(r -> r.stateMachineArn(machine).name("next").input("{\"fail\": false}")).executionArn();
        assertEquals("SUCCEEDED", ended(sfn, next));
        assertEquals(List.of("First", "Check", "Done"), entered(sfn, next), "the next execution started at StartAt");
    }

    @Test
    void aDefinitionIsJudgedEachTimeItIsGiven(Emulator emulator) {
        emulator.reset();
        SfnClient sfn = emulator.client(SfnClient.builder());
        for (int attempt = 0; attempt < 2; attempt++) {
            int n = attempt;
            assertThrows(InvalidDefinitionException.class,
                    () -> sfn.createStateMachine(r -> r.name("broken-" + n).roleArn(ROLE).definition(BROKEN)), "attempt " + n);
        }
        String machine = sfn.createStateMachine(r -> r.name("valid").roleArn(ROLE).definition(PICK)).stateMachineArn();
        assertThrows(InvalidDefinitionException.class,
                () -> sfn.updateStateMachine(r -> r.stateMachineArn(machine).definition(BROKEN)), "an update to it");
        emulator.reset();
        assertEquals("valid", sfn.describeStateMachine(r -> r.stateMachineArn(
                sfn.createStateMachine(c -> c.name("valid").roleArn(ROLE).definition(PICK)).stateMachineArn())).name(),
                "valid again after a reset");
    }

    /** How the execution ended, once it has (a minute at most). */
    static String ended(SfnClient sfn, String arn) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            String status = sfn.describeExecution(r -> r.executionArn(arn)).statusAsString();
            if (!status.equals("RUNNING")) {
                return status;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(arn + " still runs after a minute");
    }

    private static List<String> entered(SfnClient sfn, String arn) {
        return sfn.getExecutionHistory(r -> r.executionArn(arn).maxResults(1000)).events().stream()
                .filter(e -> e.stateEnteredEventDetails() != null).map(e -> e.stateEnteredEventDetails().name()).toList();
    }

    private static String await(SfnClient sfn, String arn) throws InterruptedException {
        assertEquals("SUCCEEDED", ended(sfn, arn), arn);
        return sfn.describeExecution(r -> r.executionArn(arn)).output();
    }
}
