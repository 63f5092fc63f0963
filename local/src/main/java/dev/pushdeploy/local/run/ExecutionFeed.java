package dev.pushdeploy.local.run;

import dev.pushdeploy.ops.StepFunctions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.local.moto.MotoControl;
import dev.pushdeploy.local.time.TimeKeeper;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;

/**
 * Follows every execution through the launcher's log of status changes (one long-polled request
 * for all of them, instead of polling each execution) and turns each change into the event Step
 * Functions sends to EventBridge, "Step Functions Execution Status Change" (RUNNING, SUCCEEDED,
 * FAILED, TIMED_OUT, ABORTED, with the execution's input, output, error and cause as
 * DescribeExecution gives them), put on the local bus. The launcher counts a change as work in
 * progress until this feed has taken it, so simulated time never skips past a change.
 */
public final class ExecutionFeed implements AutoCloseable {
    public static final String SOURCE = "aws.states";
    public static final String DETAIL_TYPE = "Step Functions Execution Status Change";
    private static final Duration POLL = Duration.ofSeconds(5);

    private final MotoControl control;
    private final StepFunctions sfn;
    private final TimeKeeper keeper;
    private final Consumer<ObjectNode> events;
    private final Consumer<String> log;
    private final Map<String, String> statuses = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private long seen;

    /**
     * @param events receives each status change event (the local bus's put)
     */
    public ExecutionFeed(MotoControl control, StepFunctions sfn, TimeKeeper keeper, Consumer<ObjectNode> events,
                         Consumer<String> log) {
        this.control = control;
        this.sfn = sfn;
        this.keeper = keeper;
        this.events = events;
        this.log = log;
        this.thread = new Thread(this::loop, "execution-feed");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Waits until the execution has ended, at most {@code wait} of wall time; answers its status then (empty: still running). */
    public synchronized Optional<String> awaitEnd(String executionArn, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            String status = statuses.get(executionArn);
            if (status != null && !status.equals("RUNNING")) {
                return Optional.of(status);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /**
     * Forgets the statuses seen so far (the emulator was reset): an execution of the next world may reuse a name, and so
     * an ARN, of this one, and must not be taken for ended before it starts.
     */
    public synchronized void forget() {
        statuses.clear();
    }

    private void loop() {
        while (running) {
            try {
                List<MotoControl.Change> changes = control.changes(seen, POLL);
                if (changes.isEmpty()) {
                    continue;
                }
                try (TimeKeeper.Activity busy = keeper.busy()) {
                    for (MotoControl.Change change : changes) {
                        try {
                            publish(change);
                        } catch (ExecutionDoesNotExistException gone) {
                            log.accept("execution feed: " + change.executionArn() + " " + change.status()
                                    + ": no such execution (the emulator was reset since it started); not published");
                        }
                        synchronized (this) {
                            statuses.put(change.executionArn(), change.status());
                            seen = Math.max(seen, change.seq());
                            notifyAll();
                        }
                    }
                    control.changes(seen, Duration.ZERO);
                }
            } catch (RuntimeException e) {
                if (running) {
                    log.accept("execution feed: " + e.getMessage());
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }
    }

    private void publish(MotoControl.Change change) {
        JsonNode execution = sfn.describeExecution(change.executionArn());
        ObjectNode event = EventEnvelope.of(SOURCE, DETAIL_TYPE, change.executionArn(), change.at());
        ObjectNode detail = event.putObject("detail");
        detail.put("executionArn", change.executionArn());
        detail.put("stateMachineArn", execution.path("stateMachineArn").asText());
        detail.put("name", execution.path("name").asText());
        detail.put("status", change.status());
        detail.put("startDate", Math.round(execution.path("startDate").asDouble() * 1000));
        if (change.status().equals("RUNNING")) {
            detail.putNull("stopDate");
        } else {
            detail.put("stopDate", Math.round(change.at() * 1000));
        }
        detail.put("input", execution.path("input").asText(null));
        detail.putObject("inputDetails").put("included", true);
        if (execution.hasNonNull("output")) {
            detail.put("output", execution.get("output").asText());
            detail.putObject("outputDetails").put("included", true);
        } else {
            detail.putNull("output");
            detail.putNull("outputDetails");
        }
        detail.put("error", execution.path("error").asText(null));
        detail.put("cause", execution.path("cause").asText(null));
        events.accept(event);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
