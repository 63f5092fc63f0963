package dev.pushdeploy.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Follows an execution's history while it runs and reports one {@link StateLine} per state as it
 * finishes, with what the state's function answered (verdicts, decisions, revisions, slots).
 */
public final class ExecutionWatcher {
    private static final long LIVE_MILLIS = 1000;
    private final StepFunctions sfn;
    private final String executionArn;
    private final Consumer<StateLine> out;
    private ArrayNode history = Json.mapper().createArrayNode();
    private int seen;
    private Double startedAt;
    private final List<String> failures = new ArrayList<>();
    private final java.util.Map<String, Double> enteredAt = new java.util.HashMap<>();
    private String lastResult;
    private StateLine pendingChoice;

    public ExecutionWatcher(StepFunctions sfn, String executionArn, Consumer<StateLine> out) {
        this.sfn = sfn;
        this.executionArn = executionArn;
        this.out = out;
    }

    /** Tells when an execution has ended. */
    @FunctionalInterface
    public interface Ends {
        /** Waits up to {@code wait} for the execution to end; whether it has. */
        boolean awaitEnd(String executionArn, Duration wait) throws InterruptedException;
    }

    /** Ends told by DescribeExecution, asked once a second (what the CLI does against AWS). */
    public static Ends polling(StepFunctions sfn) {
        return (execution, wait) -> {
            long until = System.nanoTime() + wait.toNanos();
            while (true) {
                if (!"RUNNING".equals(sfn.describeExecution(execution).path("status").asText())) {
                    return true;
                }
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                Thread.sleep(Math.min(LIVE_MILLIS, left / 1_000_000 + 1));
            }
        };
    }

    /**
     * Waits until the execution ends and returns its final description. Live, it reads what the
     * history gained every second and reports each state as it finishes; otherwise it reads the
     * history once, at the end.
     */
    public JsonNode await(Ends ends, boolean live, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("execution " + executionArn + " still runs after " + timeout.toSeconds() + " s");
                }
                boolean ended = ends.awaitEnd(executionArn, live ? Duration.ofMillis(Math.min(LIVE_MILLIS, left / 1_000_000 + 1))
                        : Duration.ofNanos(left));
                if (ended) {
                    history = sfn.endedHistory(executionArn, history);
                    report(history);
                } else if (live) {
                    history = sfn.history(executionArn, history);
                    report(history);
                }
                if (ended) {
                    return sfn.describeExecution(executionArn);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void report(JsonNode events) {
        for (int i = seen; i < events.size(); i++) {
            JsonNode event = events.get(i);
            String type = event.path("type").asText();
            double at = timestamp(event);
            if (startedAt == null) {
                startedAt = at;
            }
            double elapsed = at - startedAt;
            if (type.endsWith("StateEntered")) {
                String state = event.path("stateEnteredEventDetails").path("name").asText();
                enteredAt.put(state, elapsed);
                if (pendingChoice != null) {
                    emit(new StateLine(pendingChoice.seconds(), pendingChoice.state(), pendingChoice.kind(), "→ " + state));
                }
                if (type.equals("FailStateEntered")) {
                    emit(new StateLine(elapsed, state, "Fail", ""));
                }
            } else if (type.endsWith("StateExited")) {
                JsonNode details = event.path("stateExitedEventDetails");
                String state = details.path("name").asText();
                String kind = type.replace("StateExited", "");
                StateLine line = new StateLine(elapsed, state, kind, detail(kind, details, elapsed - enteredAt.getOrDefault(state, elapsed)));
                if (kind.equals("Choice")) {
                    pendingChoice = line;
                } else {
                    emit(line);
                }
                failures.clear();
                lastResult = null;
            } else {
                switch (type) {
                    case "LambdaFunctionSucceeded" -> lastResult = event.path("lambdaFunctionSucceededEventDetails").path("output").asText(null);
                    case "TaskSucceeded" -> lastResult = taskOutput(event.path("taskSucceededEventDetails").path("output").asText(null));
                    case "LambdaFunctionFailed", "LambdaFunctionTimedOut" ->
                            failures.add(event.path("lambdaFunctionFailedEventDetails").path("error").asText("timeout"));
                    case "ExecutionFailed" -> emit(ended(elapsed, "failed", event.path("executionFailedEventDetails")));
                    case "ExecutionAborted" -> emit(ended(elapsed, "aborted", event.path("executionAbortedEventDetails")));
                    case "ExecutionTimedOut" -> emit(ended(elapsed, "timed out", event.path("executionTimedOutEventDetails")));
                    case "ExecutionRedriven" -> emit(new StateLine(elapsed, "(execution redriven)", "Execution", "redrive "
                            + event.path("executionRedrivenEventDetails").path("redriveCount").asText("?")
                            + ": it goes on from the state it ended in"));
                    default -> {
                    }
                }
            }
        }
        seen = events.size();
    }

    /** How an end of the execution reads: its error and cause, each when there is one. */
    private static StateLine ended(double elapsed, String how, JsonNode details) {
        String error = details.path("error").asText("");
        String cause = details.path("cause").asText("");
        return new StateLine(elapsed, "(execution " + how + ")", "Execution",
                error.isEmpty() ? cause : cause.isEmpty() ? error : error + ": " + cause);
    }

    /** A service integration's answer: a task token's output as sent, a Lambda invoke's as its Payload. */
    private static String taskOutput(String output) {
        if (output == null) {
            return null;
        }
        JsonNode parsed = Json.tree(output);
        return parsed.has("Payload") ? parsed.get("Payload").toString() : output;
    }

    private void emit(StateLine line) {
        pendingChoice = null;
        out.accept(line);
    }

    private String detail(String kind, JsonNode details, double stayed) {
        String retried = failures.isEmpty() ? "" : "  (after " + failures.size() + " failed attempt"
                + (failures.size() == 1 ? "" : "s") + ": " + String.join(", ", failures.stream().distinct().toList()) + ")";
        if (kind.equals("Task") && lastResult != null) {
            return describe(Json.tree(lastResult)) + retried;
        }
        if (kind.equals("Wait")) {
            return String.format(java.util.Locale.ROOT, "waited %.1f s", stayed);
        }
        if (kind.equals("Pass")) {
            JsonNode result = Json.tree(details.path("output").asText("{}")).path("result");
            return result.hasNonNull("outcome") ? result.get("outcome").asText() : "";
        }
        return retried.strip();
    }

    /** A short, identifier-only description of one function's answer. */
    static String describe(JsonNode r) {
        if (r.has("verdict")) {
            return r.path("verdict").asText() + text(" — ", r.path("reason"));
        }
        if (r.has("decision")) {
            String proceed = r.path("decision").asText().equals("PROCEED")
                    ? " " + r.path("action").asText("").toLowerCase() + " " + shortImage(r.path("image").asText(""))
                    + " (live: " + shortRevision(r.path("previousTaskDefinition").asText("")) + ")"
                    : text(" — ", r.path("decisionReason"));
            return r.path("decision").asText() + proceed;
        }
        if (r.has("outcome")) {
            return r.path("outcome").asText() + text(" — ", r.path("reason"));
        }
        if (r.has("deploymentId") || r.has("started")) {
            return (r.path("started").asBoolean(true) ? "" : "already on it: ") + move(r)
                    + " → " + shortRevision(r.path("taskDefinition").asText(""));
        }
        if (r.has("secrets")) {
            List<String> slots = new ArrayList<>();
            r.path("secrets").forEach(s -> slots.add(s.path("name").asText() + " → slot " + s.path("slot").asText()));
            return slots.isEmpty() ? "no managed secrets" : String.join(", ", slots);
        }
        if (r.has("taskDefinition")) {
            return (r.path("created").asBoolean(false) ? "registered " : "reused ") + shortRevision(r.path("taskDefinition").asText());
        }
        if (r.has("status")) {
            return r.path("status").asText() + text(" — ", r.path("reason"));
        }
        return "";
    }

    /**
     * The ECS deployment a move went through, or the service deployment when ECS rolls a traffic-shifting deployment
     * back inside it (no deployment of ours to name).
     */
    private static String move(JsonNode r) {
        if (r.hasNonNull("deploymentId")) {
            return "deployment " + r.path("deploymentId").asText();
        }
        String serviceDeployment = r.path("serviceDeploymentArn").asText("");
        return serviceDeployment.isEmpty() ? "deployment (id unknown)"
                : "service deployment " + serviceDeployment.substring(serviceDeployment.lastIndexOf('/') + 1);
    }

    static String shortRevision(String taskDefinitionArn) {
        return taskDefinitionArn.substring(taskDefinitionArn.lastIndexOf('/') + 1);
    }

    static String shortImage(String image) {
        int slash = image.lastIndexOf('/');
        String name = slash < 0 ? image : image.substring(slash + 1);
        int at = name.indexOf("@sha256:");
        return at < 0 ? name : name.substring(0, at + 8 + Math.min(12, name.length() - at - 8));
    }

    private static String text(String prefix, JsonNode value) {
        return value.isTextual() && !value.asText().isBlank() ? prefix + value.asText() : "";
    }

    private static double timestamp(JsonNode event) {
        JsonNode ts = event.path("timestamp");
        if (ts.isNumber()) {
            return ts.asDouble();
        }
        try {
            return java.time.OffsetDateTime.parse(ts.asText()).toInstant().toEpochMilli() / 1000.0;
        } catch (java.time.format.DateTimeParseException e) {
            return System.currentTimeMillis() / 1000.0;
        }
    }
}
