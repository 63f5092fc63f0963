package dev.pushdeploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.ops.ExecutionWatcher;
import dev.pushdeploy.ops.Operator;
import dev.pushdeploy.ops.ReleaseSummary;
import dev.pushdeploy.ops.RunSummary;
import dev.pushdeploy.ops.SecretMove;
import dev.pushdeploy.ops.StateLine;
import dev.pushdeploy.ops.StepFunctions;
import dev.pushdeploy.ops.Text;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows one execution to its end as {@code run} does: one line per state (polling repeats
 * collapsed), then the outcome; the exit code says how it ended. Ctrl-C stops following, not the run.
 */
final class Follow {
    private static final Pattern OUTCOME_WORD = Pattern.compile(
            "\\b(SUCCEEDED|HEALTHY|ROLLED_BACK|ROLLBACK_FAILED|REJECTED|FAILED|IN_PROGRESS|WAITING|SUPERSEDED|IGNORED|PROCEED|ACQUIRED)\\b");
    /** Longer than any execution may run (the state machines' TimeoutSeconds: a release's 50 h), so follow sees its end. */
    static final java.time.Duration DEADLINE = java.time.Duration.ofHours(51);
    /** How long the end of a release that ended without its Record state waits for the reconciler's record of it. */
    private static final java.time.Duration RECORD_WAIT = java.time.Duration.ofMinutes(1);

    private Follow() {
    }

    /** With {@code noWait}: prints the started execution and returns 0. */
    static int startedOrFollow(Output output, StepFunctions sfn, String executionArn, boolean noWait, String local) {
        String name = StepFunctions.name(executionArn);
        if (noWait) {
            return started(output, executionArn, "started " + name, "  follow it:  pushdeploy" + local + " follow " + name,
                    "  cancel it:  pushdeploy" + local + " cancel " + name);
        }
        return follow(output, sfn, executionArn, local);
    }

    /** Prints a started execution (JSON: its ARN, name and RUNNING; for people: {@code lines}); answers 0. */
    private static int started(Output output, String executionArn, String... lines) {
        if (output.json) {
            output.json(Json.object().put("execution", executionArn).put("name", StepFunctions.name(executionArn))
                    .put("status", "RUNNING"));
        } else {
            for (String line : lines) {
                output.line(line);
            }
        }
        return 0;
    }

    static int follow(Output output, StepFunctions sfn, String executionArn, String local) {
        return follow(output, sfn, executionArn, local, (description, states) -> {
            RunSummary summary = RunSummary.of(description, sfn.endedHistory(executionArn), states);
            print(output, summary);
            return summary.exitCode();
        });
    }

    /**
     * A release: with {@code noWait} prints the started execution; else follows it and prints each service's end (for
     * one that ended without its Record state, as the reconciler recorded it: {@link Operator#releaseSummary}).
     */
    static int release(Output output, Operator operator, String executionArn, boolean noWait, String local) {
        String name = StepFunctions.name(executionArn);
        if (noWait) {
            return started(output, executionArn, "started release " + name + " (" + executionArn + ")",
                    "  follow it:  pushdeploy" + local + " follow " + name, "  cancel it:  pushdeploy" + local + " cancel " + name);
        }
        return follow(output, operator.stepFunctions(), executionArn, local, (description, states) -> {
            ReleaseSummary summary;
            try {
                summary = operator.releaseSummary(description, RECORD_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                summary = ReleaseSummary.of(description);
            }
            if (output.json) {
                output.json(summary);
            } else {
                output.line("→ release " + output.outcome(summary.outcome())
                        + (summary.reason() == null ? "" : ": " + Text.shorten(summary.reason(), 400)));
                for (ReleaseSummary.Service service : summary.services()) {
                    output.line("  " + service.service() + ": " + paint(output, String.valueOf(service.state())) + " (deployment "
                            + paint(output, String.valueOf(service.deployment())) + (service.rollback() == null ? "" : ", rollback "
                            + paint(output, service.rollback())) + ")" + ("ROLLING_BACK".equals(service.state())
                            ? "; follow its rollback: pushdeploy" + local + " follow " + service.rollbackExecution() : ""));
                }
            }
            return summary.exitCode();
        });
    }

    /** How a followed execution's end is printed; answers the exit code. */
    private interface End {
        int print(JsonNode description, List<StateLine> states);
    }

    private static int follow(Output output, StepFunctions sfn, String executionArn, String local, End end) {
        String name = StepFunctions.name(executionArn);
        List<StateLine> states = new CopyOnWriteArrayList<>();
        PollLines lines = new PollLines(line -> output.line(paint(output, line)));
        if (!output.json) {
            output.note("following " + name + " (Ctrl-C stops following; the run goes on)");
        }
        try (var guard = Interruption.guard(() -> "stopped following " + name + "; the run goes on. Again: pushdeploy" + local
                + " follow " + name + "; stop it: pushdeploy" + local + " cancel " + name, () -> { }, null)) {
            JsonNode description = new ExecutionWatcher(sfn, executionArn, line -> {
                states.add(line);
                if (!output.json) {
                    lines.accept(line);
                }
            }).await(ExecutionWatcher.polling(sfn), true, DEADLINE);
            lines.flush();
            return end.print(description, states);
        }
    }

    static void print(Output output, RunSummary summary) {
        if (output.json) {
            output.json(summary);
            return;
        }
        output.line("→ " + output.outcome(summary.outcome()) + (summary.reason() == null ? "" : ": " + Text.shorten(summary.reason(), 400)));
        if (!summary.secrets().isEmpty()) {
            output.line("  secrets: " + String.join(", ", summary.secrets().stream().map(SecretMove::describe).toList()));
        }
        if (summary.taskDefinition() != null) {
            output.line("  live: " + summary.taskDefinition().substring(summary.taskDefinition().lastIndexOf('/') + 1)
                    + (summary.seconds() == null ? "" : " (" + summary.seconds() + " s)"));
        }
    }

    private static String paint(Output output, String line) {
        Matcher word = OUTCOME_WORD.matcher(line);
        return word.find() ? line.substring(0, word.start()) + output.outcome(word.group()) + line.substring(word.end()) : line;
    }
}
