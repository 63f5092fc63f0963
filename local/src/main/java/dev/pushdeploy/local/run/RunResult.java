package dev.pushdeploy.local.run;

import dev.pushdeploy.ops.History;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.ops.Outcomes;
import dev.pushdeploy.ops.SecretMove;
import java.util.List;

/**
 * How one run ended: the summary line of {@code ./pushdeploy run}, plus what the tests and
 * {@code --dump} need (the execution's history and the mutating calls it made).
 *
 * @param outcome one of the workflow's outcomes, NOT_MATCHED (the rule did not match), or the
 *                execution's error name when it failed otherwise
 * @param secrets the slot each managed secret moved to (empty when nothing was rotated)
 * @param rollout the strategy, the stage the rollout reached and the highest share of production
 *                traffic the new revision got; null when no rollout was checked
 */
public record RunResult(
        String outcome,
        String reason,
        String service,
        String image,
        String taskDefinition,
        String previousTaskDefinition,
        List<String> writes,
        double seconds,
        String executionArn,
        JsonNode history,
        List<SecretMove> secrets,
        History.Rollout rollout) {
    public static final String NOT_MATCHED = Outcomes.NOT_MATCHED;

    public RunResult {
        writes = List.copyOf(writes);
        secrets = List.copyOf(secrets);
    }

    public int awsWrites() {
        return writes.size();
    }

    /** The one-line JSON summary. */
    public ObjectNode summary() {
        ObjectNode line = Json.object();
        line.put("outcome", outcome);
        line.put("reason", reason);
        line.put("service", service);
        line.put("image", image);
        line.put("taskDefinition", taskDefinition);
        line.put("previousTaskDefinition", previousTaskDefinition);
        line.put("awsWrites", awsWrites());
        line.put("seconds", Math.round(seconds * 10) / 10.0);
        secrets.forEach(s -> line.withArray("secrets").add(s.json()));
        if (rollout != null) {
            line.put("strategy", rollout.strategy());
            line.put("stage", rollout.stage());
            line.put("maxProductionPercent", rollout.maxProductionPercent());
        }
        return line;
    }

    /** {@code secrets: APP_SIGNING_KEY a → b, DB_PASSWORD a → b (DB_USER app_b)}, or {@code secrets: unchanged}. */
    public String secretsLine() {
        return "secrets: " + (secrets.isEmpty() ? "unchanged"
                : String.join(", ", secrets.stream().map(SecretMove::describe).toList()));
    }

    /** The exit code of {@code ./pushdeploy run} ({@link Outcomes#exitCode}). */
    public int exitCode() {
        return Outcomes.exitCode(outcome);
    }
}
