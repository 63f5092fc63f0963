package dev.pushdeploy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * An execution stopped in a Wait state ends then, as on Step Functions: its history ends with ExecutionAborted at
 * once, not when the wait would have run out (the emulator's interpreter is woken by the stop as by a timer).
 */
@ExtendWith(EmulatorExtension.class)
class StopInWaitIT {
    @Test
    void aStopEndsAWaitAtOnce(Emulator emulator) throws InterruptedException {
        World world = World.create(emulator);
        String arn = world.startExecution("stopped-in-wait", "{}", "WaitForLock");
        awaitLast(world, arn, "WaitStateEntered");

        long stopped = System.currentTimeMillis();
        world.sfn.stopExecution(r -> r.executionArn(arn));
        List<HistoryEvent> events = awaitLast(world, arn, "ExecutionAborted");

        assertTrue(System.currentTimeMillis() - stopped < 5_000, "aborted within seconds of the stop, not after the hour's wait");
        assertEquals(List.of("ExecutionStarted", "WaitStateEntered", "ExecutionAborted"),
                events.stream().map(HistoryEvent::typeAsString).toList());
    }

    /** The history once its last event is of {@code type}; fails after 10 s naming the events there were. */
    private static List<HistoryEvent> awaitLast(World world, String arn, String type) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        List<HistoryEvent> events = List.of();
        while (System.currentTimeMillis() < deadline) {
            events = world.sfn.getExecutionHistory(r -> r.executionArn(arn)).events();
            if (!events.isEmpty() && events.get(events.size() - 1).typeAsString().equals(type)) {
                return events;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + type + " within 10 s: " + events.stream().map(HistoryEvent::typeAsString).toList());
    }
}
