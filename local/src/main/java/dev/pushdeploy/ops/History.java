package dev.pushdeploy.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.json.Json;
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

    private static JsonNode output(JsonNode description) {
        return description.hasNonNull("output") ? Json.tree(description.get("output").asText()) : Json.object();
    }
}
