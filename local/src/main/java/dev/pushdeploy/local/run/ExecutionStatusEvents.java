package dev.pushdeploy.local.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.local.lambda.LambdaRuntime;
import dev.pushdeploy.local.stack.PipelineTemplate.FunctionRule;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * What Step Functions and EventBridge do and moto does not: every status change of an execution of the
 * state machine becomes a "Step Functions Execution Status Change" event shaped as Step Functions sends
 * it, is matched against the template's rules with AWS's own matcher (event-ruler), and is delivered to
 * each matching rule's function as Lambda's asynchronous invocation does (the first attempt and two
 * retries; after that, a dead letter). Status changes are found by polling ListExecutions every
 * {@value #POLL_MILLIS} ms, so an ended execution's event is delivered within about a second.
 */
public final class ExecutionStatusEvents implements AutoCloseable {
    static final long POLL_MILLIS = 250;
    /** Lambda's asynchronous invocation: one attempt and two retries. */
    static final int ATTEMPTS = 3;
    static final String SOURCE = "aws.states";
    static final String DETAIL_TYPE = "Step Functions Execution Status Change";
    private static final List<String> ENDED = List.of("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED");

    /** Invokes a function with a payload, as the local Lambda runtime does. */
    @FunctionalInterface
    public interface Invoker {
        LambdaRuntime.Result invoke(String function, byte[] payload);
    }

    /**
     * One event handed to a rule's function.
     *
     * @param attempts how many invocations it took (at most {@value #ATTEMPTS})
     * @param answer   the function's last answer (its output, or Lambda's error document)
     */
    public record Delivery(String executionArn, String status, String function, int attempts, boolean failed, String answer,
                           Instant endedAt, Instant deliveredAt) {
        /** From the end of the execution to the function's answer. */
        public Duration latency() {
            return Duration.between(endedAt, deliveredAt);
        }
    }

    private final StepFunctions sfn;
    private final Supplier<String> stateMachineArn;
    private final List<EventRuleTarget> targets;
    private final Invoker invoker;
    private final String account;
    private final String region;
    private final Map<String, String> seen = new ConcurrentHashMap<>();
    private final Map<String, Optional<Delivery>> ended = new ConcurrentHashMap<>();
    private final List<Delivery> deadLetters = new CopyOnWriteArrayList<>();
    private final Thread poller;
    private volatile boolean running = true;

    private record EventRuleTarget(EventRule rule, String function) {
    }

    public ExecutionStatusEvents(StepFunctions sfn, Supplier<String> stateMachineArn, List<FunctionRule> rules, Invoker invoker,
            String account, String region) {
        this.sfn = sfn;
        this.stateMachineArn = stateMachineArn;
        this.targets = rules.stream().map(r -> new EventRuleTarget(new EventRule(List.of(r.pattern())), r.function())).toList();
        this.invoker = invoker;
        this.account = account;
        this.region = region;
        this.poller = Thread.ofPlatform().daemon().name("execution-status-events").start(this::pollUntilClosed);
    }

    /**
     * Waits until the event of the execution's end has been delivered (or dead-lettered), up to
     * {@code timeout}; empty when no rule took it or it did not happen in time.
     */
    public Optional<Delivery> awaitEnded(String executionArn, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Delivery> delivery = ended.get(executionArn);
            if (delivery != null) {
                return delivery;
            }
            sleep(POLL_MILLIS / 2);
        }
        return ended.getOrDefault(executionArn, Optional.empty());
    }

    /** Deliveries that failed on every attempt, since the last reset. */
    public List<Delivery> deadLetters() {
        return List.copyOf(deadLetters);
    }

    /** Forgets every execution: the emulator was reset. */
    public synchronized void reset() {
        seen.clear();
        ended.clear();
        deadLetters.clear();
    }

    private void pollUntilClosed() {
        while (running) {
            try {
                poll();
            } catch (RuntimeException e) {
                // the emulator restarts, resets or has no state machine yet: ask again
            }
            sleep(POLL_MILLIS);
        }
    }

    private synchronized void poll() {
        for (JsonNode execution : sfn.executions(stateMachineArn.get())) {
            String arn = execution.path("executionArn").asText();
            String status = execution.path("status").asText();
            if (status.equals(seen.get(arn))) {
                continue;
            }
            seen.put(arn, status);
            boolean over = ENDED.contains(status);
            JsonNode description = over ? sfn.describeExecution(arn) : execution;
            ObjectNode event = event(description, status);
            List<Delivery> deliveries = deliver(event, arn, status, instant(description.path("stopDate"), Instant.now()));
            if (over) {
                ended.put(arn, deliveries.stream().reduce((first, second) -> second));
            }
        }
    }

    private List<Delivery> deliver(ObjectNode event, String arn, String status, Instant endedAt) {
        String text = event.toString();
        List<Delivery> deliveries = new ArrayList<>();
        for (EventRuleTarget target : targets) {
            if (!target.rule().matches(text)) {
                continue;
            }
            LambdaRuntime.Result result = null;
            int attempts = 0;
            while (attempts < ATTEMPTS && (result == null || result.failed())) {
                attempts++;
                result = invoker.invoke(target.function(), text.getBytes(StandardCharsets.UTF_8));
            }
            Delivery delivery = new Delivery(arn, status, target.function(), attempts, result.failed(), result.payload(), endedAt, Instant.now());
            if (delivery.failed()) {
                deadLetters.add(delivery);
            }
            deliveries.add(delivery);
        }
        return deliveries;
    }

    /** The event as Step Functions puts it on the default bus. */
    private ObjectNode event(JsonNode execution, String status) {
        ObjectNode event = Json.object();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("detail-type", DETAIL_TYPE);
        event.put("source", SOURCE);
        event.put("account", account);
        Instant at = instant(execution.path(ENDED.contains(status) ? "stopDate" : "startDate"), Instant.now());
        event.put("time", at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        event.put("region", region);
        event.putArray("resources").add(execution.path("executionArn").asText());
        ObjectNode detail = event.putObject("detail");
        detail.put("executionArn", execution.path("executionArn").asText());
        detail.put("stateMachineArn", execution.path("stateMachineArn").asText(stateMachineArn.get()));
        detail.put("name", execution.path("name").asText());
        detail.put("status", status);
        detail.put("startDate", instant(execution.path("startDate"), at).toEpochMilli());
        if (ENDED.contains(status)) {
            detail.put("stopDate", at.toEpochMilli());
        } else {
            detail.putNull("stopDate");
        }
        text(detail, "input", execution.path("input"));
        detail.putObject("inputDetails").put("included", execution.has("input"));
        text(detail, "output", execution.path("output"));
        if (execution.has("output")) {
            detail.putObject("outputDetails").put("included", true);
        } else {
            detail.putNull("outputDetails");
        }
        text(detail, "error", execution.path("error"));
        text(detail, "cause", execution.path("cause"));
        return event;
    }

    private static void text(ObjectNode detail, String name, JsonNode value) {
        if (value.isTextual()) {
            detail.put(name, value.asText());
        } else {
            detail.putNull(name);
        }
    }

    /** A date as Step Functions' JSON protocol sends it (epoch seconds, fractional) or ISO 8601. */
    private static Instant instant(JsonNode value, Instant otherwise) {
        if (value.isNumber()) {
            return Instant.ofEpochMilli(Math.round(value.asDouble() * 1000));
        }
        if (value.isTextual()) {
            try {
                return java.time.OffsetDateTime.parse(value.asText()).toInstant();
            } catch (java.time.format.DateTimeParseException e) {
                return otherwise;
            }
        }
        return otherwise;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        poller.interrupt();
    }
}
