package dev.pushdeploy.ops;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * How a release execution ended, read from DescribeExecution: its outcome, and per service where the
 * release left it (the summary the release also records and notifies).
 *
 * @param outcome  SUCCEEDED, ROLLED_BACK, FAILED or REJECTED; the execution's status when it ended otherwise
 * @param reason   the cause of a REJECTED release (the field named), else null
 * @param services one entry per service of the manifest; empty when the release was rejected
 */
public record ReleaseSummary(String execution, String name, String status, String outcome, String reason,
                             List<Service> services) {
    public ReleaseSummary {
        services = List.copyOf(services);
    }

    /**
     * @param deployment the outcome of the service's deployment execution
     * @param rollback   the outcome of its rollback by the release, null when it was not rolled back
     * @param state      LIVE, UNCHANGED, BACK, ROLLED_BACK, SUPERSEDED or UNVERIFIED
     */
    public record Service(String service, String image, String state, String deployment, String rollback, String execution) {
    }

    public static ReleaseSummary of(JsonNode description) {
        String status = description.path("status").asText(null);
        String outcome = History.outcome(description);
        JsonNode summary = Json.object();
        String reason = null;
        if ("SUCCEEDED".equals(status)) {
            summary = Json.tree(description.path("output").asText("{}"));
            outcome = summary.path("outcome").asText("SUCCEEDED");
        } else if (description.path("cause").isTextual()) {
            String cause = description.get("cause").asText();
            try {
                summary = Json.tree(cause);
            } catch (RuntimeException notJson) {
                reason = cause;
            }
            if (!summary.isObject()) {
                reason = cause;
                summary = Json.object();
            }
        }
        List<Service> services = new ArrayList<>();
        for (JsonNode s : summary.path("services")) {
            services.add(new Service(s.path("service").asText(null), s.path("image").asText(null), s.path("state").asText(null),
                    s.path("deployment").asText(null), s.path("rollback").asText(null), s.path("execution").asText(null)));
        }
        return new ReleaseSummary(description.path("executionArn").asText(null), description.path("name").asText(null),
                status, outcome, reason, services);
    }

    public int exitCode() {
        return Outcomes.exitCode(outcome);
    }
}
