package dev.pushdeploy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pushdeploy.ops.Json;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.MapIterationEventDetails;

/**
 * A redriven execution's inline Map runs again only the iterations that failed, were aborted or never started; those
 * that succeeded keep their results and do not run (RedriveExecution's API reference: "For workflows that include an
 * Inline Map or Parallel state, RedriveExecution API action reschedules and redrives only the iterations and branches
 * that failed or aborted"). Each iteration's result names the attempt that ran it ({@code $$.Execution.RedriveCount}).
 */
@ExtendWith(EmulatorExtension.class)
class RedriveIterationsIT {
    private static final String ROLE = "arn:aws:iam::123456789012:role/states";
    /**
     * Items run one at a time; an item marked {@code hold} fails (with {@code late}, after a second; with {@code wait}, it
     * waits an hour instead) in the first attempt only.
     */
    private static final String EACH = """
            {"StartAt": "Each", "States": {
              "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1,
                "ItemSelector": {"n.$": "$$.Map.Item.Value.n", "hold.$": "$$.Map.Item.Value.hold",
                                 "attempt.$": "$$.Execution.RedriveCount"},
                "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Check", "States": {
                  "Check": {"Type": "Choice", "Choices": [
                      {"And": [{"Variable": "$.hold", "StringEquals": "fail"}, {"Variable": "$.attempt", "NumericEquals": 0}],
                       "Next": "Boom"},
                      {"And": [{"Variable": "$.hold", "StringEquals": "late"}, {"Variable": "$.attempt", "NumericEquals": 0}],
                       "Next": "Late"},
                      {"And": [{"Variable": "$.hold", "StringEquals": "wait"}, {"Variable": "$.attempt", "NumericEquals": 0}],
                       "Next": "Hold"}],
                    "Default": "Done"},
                  "Late": {"Type": "Wait", "Seconds": 1, "Next": "Boom"},
                  "Boom": {"Type": "Fail", "Error": "FirstAttempt"},
                  "Hold": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
                  "Done": {"Type": "Pass", "End": true}}},
                "End": true}}}
            """;

    /** A, then B, whose iterations fail in the first attempt; then once more A and B through a loop. */
    private static final String LOOP = """
            {"StartAt": "A", "States": {
              "A": {"Type": "Map", "ItemsPath": "$.items",
                "ItemSelector": {"n.$": "$$.Map.Item.Value", "attempt.$": "$$.Execution.RedriveCount"},
                "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
                "ResultPath": "$.a", "Next": "B"},
              "B": {"Type": "Map", "ItemsPath": "$.items",
                "ItemSelector": {"n.$": "$$.Map.Item.Value", "attempt.$": "$$.Execution.RedriveCount"},
                "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Check", "States": {
                  "Check": {"Type": "Choice", "Choices": [{"Variable": "$.attempt", "NumericEquals": 0, "Next": "Boom"}],
                            "Default": "P"},
                  "Boom": {"Type": "Fail", "Error": "FirstAttempt"},
                  "P": {"Type": "Pass", "End": true}}},
                "ResultPath": "$.b", "Next": "C"},
              "C": {"Type": "Choice", "Choices": [{"Variable": "$.looped", "IsPresent": true, "Next": "Done"}], "Default": "Mark"},
              "Mark": {"Type": "Pass", "Result": true, "ResultPath": "$.looped", "Next": "A"},
              "Done": {"Type": "Succeed"}}}
            """;

    @Test
    void theIterationsThatFailedOrNeverStartedRunAgainTheOneThatSucceededKeepsItsResult(Emulator emulator) throws Exception {
        emulator.reset();
        SfnClient sfn = emulator.client(SfnClient.builder());
        String machine = sfn.createStateMachine(r -> r.name("each-fails").roleArn(ROLE).definition(EACH)).stateMachineArn();
        String arn = sfn.startExecution(r -> r.stateMachineArn(machine).name("fails-once").input("""
                {"items": [{"n": 0, "hold": "no"}, {"n": 1, "hold": "fail"}, {"n": 2, "hold": "no"}]}""")).executionArn();
        assertEquals("FAILED", WorkDoneOnceIT.ended(sfn, arn));
        assertEquals(List.of(0, 1), iterationsStarted(sfn, arn, false));

        sfn.redriveExecution(r -> r.executionArn(arn));
        assertEquals("SUCCEEDED", WorkDoneOnceIT.ended(sfn, arn));
        assertEquals(List.of(1, 2), iterationsStarted(sfn, arn, true), "only the failed and the unstarted iterations ran again");
        assertEquals(Json.tree("""
                [{"n": 0, "hold": "no", "attempt": 0}, {"n": 1, "hold": "fail", "attempt": 1}, {"n": 2, "hold": "no", "attempt": 1}]"""),
                Json.tree(sfn.describeExecution(r -> r.executionArn(arn)).output()));
    }

    @Test
    void anIterationAbortedByAStopRunsAgainTheOneThatSucceededDoesNot(Emulator emulator) throws Exception {
        emulator.reset();
        SfnClient sfn = emulator.client(SfnClient.builder());
        String machine = sfn.createStateMachine(r -> r.name("each-waits").roleArn(ROLE).definition(EACH)).stateMachineArn();
        String arn = sfn.startExecution(r -> r.stateMachineArn(machine).name("stopped-once").input("""
                {"items": [{"n": 0, "hold": "no"}, {"n": 1, "hold": "wait"}]}""")).executionArn();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (history(sfn, arn).stream().noneMatch(e -> e.typeAsString().equals("WaitStateEntered"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the second iteration never reached its Wait state");
            }
            Thread.sleep(50);
        }
        sfn.stopExecution(r -> r.executionArn(arn).error("Operator").cause("stopped while an iteration waited"));
        assertEquals("ABORTED", WorkDoneOnceIT.ended(sfn, arn));

        sfn.redriveExecution(r -> r.executionArn(arn));
        assertEquals("SUCCEEDED", WorkDoneOnceIT.ended(sfn, arn));
        assertEquals(List.of(1), iterationsStarted(sfn, arn, true), "only the aborted iteration ran again");
        assertEquals(Json.tree("""
                [{"n": 0, "hold": "no", "attempt": 0}, {"n": 1, "hold": "wait", "attempt": 1}]"""),
                Json.tree(sfn.describeExecution(r -> r.executionArn(arn)).output()));
    }

    /**
     * An iteration still running when another fails is aborted with its Map (MapIterationAborted), not succeeded, and
     * so runs again in the redrive.
     */
    @Test
    void anIterationCutOffByAnotherOnesFailureIsAbortedAndRunsAgain(Emulator emulator) throws Exception {
        emulator.reset();
        SfnClient sfn = emulator.client(SfnClient.builder());
        String machine = sfn.createStateMachine(r -> r.name("each-at-once").roleArn(ROLE)
                .definition(EACH.replace("\"MaxConcurrency\": 1", "\"MaxConcurrency\": 0"))).stateMachineArn();
        String arn = sfn.startExecution(r -> r.stateMachineArn(machine).name("cut-off").input("""
                {"items": [{"n": 0, "hold": "late"}, {"n": 1, "hold": "wait"}]}""")).executionArn();
        assertEquals("FAILED", WorkDoneOnceIT.ended(sfn, arn));
        assertEquals(List.of("MapIterationFailed 0", "MapIterationAborted 1"), history(sfn, arn).stream()
                .filter(e -> e.typeAsString().matches("MapIteration(Succeeded|Failed|Aborted)"))
                .map(e -> e.typeAsString() + " " + iteration(e).index()).toList());

        sfn.redriveExecution(r -> r.executionArn(arn));
        assertEquals("SUCCEEDED", WorkDoneOnceIT.ended(sfn, arn));
        assertEquals(List.of(0, 1), iterationsStarted(sfn, arn, true).stream().sorted().toList(), "both ran again");
        assertEquals(Json.tree("""
                [{"n": 0, "hold": "late", "attempt": 1}, {"n": 1, "hold": "wait", "attempt": 1}]"""),
                Json.tree(sfn.describeExecution(r -> r.executionArn(arn)).output()));
    }

    /**
     * Only the Map the redrive resumes in keeps its iterations' results, and only once: a Map the execution enters
     * again after the redrive (here the first, through a loop, and the second a second time) runs whole.
     */
    @Test
    void aMapEnteredAgainAfterTheRedriveRunsWhole(Emulator emulator) throws Exception {
        emulator.reset();
        SfnClient sfn = emulator.client(SfnClient.builder());
        String machine = sfn.createStateMachine(r -> r.name("loops").roleArn(ROLE).definition(LOOP)).stateMachineArn();
        String arn = sfn.startExecution(r -> r.stateMachineArn(machine).name("loops-once").input("{\"items\": [0, 1]}"))
                .executionArn();
        assertEquals("FAILED", WorkDoneOnceIT.ended(sfn, arn));

        sfn.redriveExecution(r -> r.executionArn(arn));
        assertEquals("SUCCEEDED", WorkDoneOnceIT.ended(sfn, arn));
        assertEquals(List.of(0, 1, 0, 1, 0, 1), iterationsStarted(sfn, arn, true), "B, then A and B again, each whole");
        assertEquals(Json.tree("[{\"n\": 0, \"attempt\": 1}, {\"n\": 1, \"attempt\": 1}]"),
                Json.tree(sfn.describeExecution(r -> r.executionArn(arn)).output()).path("a"));
    }

    /** The indexes of the iterations started before the execution's first redrive, or after it. */
    private static List<Integer> iterationsStarted(SfnClient sfn, String arn, boolean afterRedrive) {
        List<HistoryEvent> events = history(sfn, arn);
        long redriven = events.stream().filter(e -> e.typeAsString().equals("ExecutionRedriven"))
                .mapToLong(HistoryEvent::id).findFirst().orElse(Long.MAX_VALUE);
        return events.stream()
                .filter(e -> e.typeAsString().equals("MapIterationStarted") && (e.id() > redriven) == afterRedrive)
                .map(e -> e.mapIterationStartedEventDetails().index())
                .toList();
    }

    private static MapIterationEventDetails iteration(HistoryEvent event) {
        return switch (event.typeAsString()) {
            case "MapIterationSucceeded" -> event.mapIterationSucceededEventDetails();
            case "MapIterationFailed" -> event.mapIterationFailedEventDetails();
            case "MapIterationAborted" -> event.mapIterationAbortedEventDetails();
            default -> event.mapIterationStartedEventDetails();
        };
    }

    private static List<HistoryEvent> history(SfnClient sfn, String arn) {
        return sfn.getExecutionHistoryPaginator(r -> r.executionArn(arn).maxResults(1000)).events().stream().toList();
    }
}
