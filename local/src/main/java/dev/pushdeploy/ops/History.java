package dev.pushdeploy.ops;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/** Reads an execution's ending and its request out of DescribeExecution and the history. */
public final class History {
    private History() {
    }

    /**
     * The workflow's outcome: for a succeeded execution the Finalize step's outcome (IGNORED when
     * Prepare ignored the input); for a failed one its error, which the ASL sets to the outcome.
     */
    public static String outcome(JsonNode description) {
        String status = description.path("status").asText();
        if (status.equals("SUCCEEDED")) {
            JsonNode output = output(description);
            if (output.path("final").hasNonNull("outcome")) {
                return output.get("final").get("outcome").asText();
            }
            return "IGNORED".equals(output.path("request").path("decision").asText()) ? "IGNORED" : "SUCCEEDED";
        }
        return description.hasNonNull("error") && !description.get("error").asText().isBlank() ? description.get("error").asText() : status;
    }

    public static String reason(JsonNode description) {
        if (description.path("status").asText().equals("SUCCEEDED")) {
            JsonNode output = output(description);
            for (JsonNode candidate : new JsonNode[] {output.path("final").path("reason"),
                    output.path("request").path("decisionReason"), output.path("result").path("reason")}) {
                if (candidate.isTextual() && !candidate.asText().isBlank()) {
                    return candidate.asText();
                }
            }
            return null;
        }
        return description.hasNonNull("cause") ? description.get("cause").asText() : null;
    }

    /** The newest {@code request} (Prepare's DeployRequest) any state passed on. */
    public static Optional<JsonNode> lastRequest(JsonNode history) {
        JsonNode found = null;
        for (JsonNode event : history) {
            JsonNode output = event.path("stateExitedEventDetails").path("output");
            if (output.isTextual()) {
                JsonNode request = Json.tree(output.asText()).path("request");
                if (request.isObject() && request.hasNonNull("cluster")) {
                    found = request;
                }
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * What the checks of the rollout (not of the way back) saw: the strategy and stage of the last one,
     * and the highest share of production traffic the new revision reached in any of them.
     */
    public static Optional<Rollout> rollout(JsonNode history) {
        String strategy = null;
        String stage = null;
        double highest = 0;
        boolean any = false;
        for (JsonNode event : history) {
            JsonNode exited = event.path("stateExitedEventDetails");
            if (!exited.path("output").isTextual() || !CHECKS.contains(exited.path("name").asText())) {
                continue;
            }
            JsonNode check = Json.tree(exited.path("output").asText()).path("check");
            if (check.isObject() && check.hasNonNull("strategy")) {
                any = true;
                strategy = check.get("strategy").asText();
                stage = check.path("stage").asText(stage);
                highest = Math.max(highest, check.path("maxProductionPercent").asDouble(0));
            }
        }
        return any ? Optional.of(new Rollout(strategy, stage, highest)) : Optional.empty();
    }

    /** The states that check the rollout itself. */
    static final java.util.Set<String> CHECKS = java.util.Set.of("CheckDeployment", "WaitForRollout", "CheckAfterBake");

    /** See {@link #rollout(JsonNode)}. */
    public record Rollout(String strategy, String stage, double maxProductionPercent) {
    }

    private static JsonNode output(JsonNode description) {
        return description.hasNonNull("output") ? Json.tree(description.get("output").asText()) : Json.object();
    }
}
