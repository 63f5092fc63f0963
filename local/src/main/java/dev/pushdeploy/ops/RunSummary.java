package dev.pushdeploy.ops;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How one execution ended, read from DescribeExecution and its history: what {@code deploy},
 * {@code rollback}, {@code rotate} and {@code follow} print last (or as JSON).
 *
 * @param status         the execution's status (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED)
 * @param outcome        the workflow's outcome ({@link History#outcome}); for an aborted run ABORTED
 * @param taskDefinition the service's task definition when Finalize ran; null when it did not run
 * @param secrets        where each secret the run rotated went: from the live slot to the written one, and the slot
 *                       live after the run (the old one again when the run ended on the revision it started from;
 *                       not known when Finalize did not run or the service ended on a third revision)
 * @param states         the states as they finished
 */
public record RunSummary(String execution, String name, String status, String outcome, String reason, String service,
                         String image, String taskDefinition, String previousTaskDefinition, List<SecretMove> secrets,
                         Double seconds, List<StateLine> states) {

    public static RunSummary of(JsonNode description, JsonNode history, List<StateLine> states) {
        JsonNode request = History.lastRequest(history).orElse(Json.object());
        JsonNode finalized = Json.object();
        JsonNode rollout = Json.object();
        for (JsonNode event : history) {
            JsonNode exited = event.path("stateExitedEventDetails");
            if (!exited.path("output").isTextual()) {
                continue;
            }
            JsonNode output = Json.tree(exited.get("output").asText());
            if (output.path("final").isObject()) {
                finalized = output.get("final");
                rollout = output.path("rollout");
            }
        }
        Map<String, String> before = new HashMap<>();
        request.path("liveSlots").properties().forEach(e -> before.put(e.getKey(), e.getValue().asText()));
        String live = finalized.path("taskDefinition").asText(null);
        String revision = rollout.path("taskDefinition").asText(null);
        String previous = request.path("previousTaskDefinition").asText(null);
        List<SecretMove> secrets = SecretMove.of(history, before, null).stream().map(m -> m.living(live == null ? null
                : live.equals(revision) ? m.to() : live.equals(previous) ? before.getOrDefault(m.name(), SecretMove.NONE) : null)).toList();
        String cluster = request.path("cluster").asText(null);
        Double seconds = description.path("startDate").isNumber() && description.path("stopDate").isNumber()
                ? Math.round((description.get("stopDate").asDouble() - description.get("startDate").asDouble()) * 10) / 10.0
                : null;
        return new RunSummary(description.path("executionArn").asText(null), description.path("name").asText(null),
                description.path("status").asText(null), History.outcome(description), History.reason(description),
                cluster == null ? null : cluster + "/" + request.path("service").asText(),
                request.path("image").asText(null), finalized.path("taskDefinition").asText(null),
                request.path("previousTaskDefinition").asText(null), secrets, seconds, List.copyOf(states));
    }

    public int exitCode() {
        return Outcomes.exitCode(outcome);
    }
}
