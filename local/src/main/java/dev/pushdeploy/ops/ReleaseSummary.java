package dev.pushdeploy.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ledger.ReleaseRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * How a release execution ended, read from DescribeExecution: its outcome, and per service where the
 * release left it (the summary the release also records and notifies).
 *
 * @param outcome  SUCCEEDED, ROLLED_BACK, FAILED or REJECTED; the execution's status when it ended otherwise
 * @param reason   the cause of a REJECTED release (the field named), or how a release that ended without its Record
 *                 state ended; else null
 * @param services one entry per service of the manifest; empty when the release was rejected
 */
public record ReleaseSummary(String execution, String name, String status, String outcome, String reason,
                             List<Service> services) {
    public ReleaseSummary {
        services = List.copyOf(services);
    }

    /**
     * @param deployment        the outcome of the service's deployment execution
     * @param rollback          the outcome of its rollback by the release, null when it was not rolled back
     * @param state             LIVE, UNCHANGED, BACK, ROLLED_BACK, SUPERSEDED or UNVERIFIED; ROLLING_BACK while the
     *                          rollback the reconciler started for a stopped release runs
     * @param rollbackExecution that rollback's execution, when the reconciler started one
     */
    public record Service(String service, String image, String state, String deployment, String rollback, String execution,
                          String rollbackExecution) {
    }

    /**
     * This release, which ended without its Record state, as the reconciler recorded it: its outcome and cause, and
     * {@code services} (the record's, each read as far as its rollback has got).
     */
    public ReleaseSummary recorded(ReleaseRecord record, List<ReleaseRecord.ServiceEnd> services) {
        return new ReleaseSummary(execution, name, status, record.outcome(), record.cause(), services.stream()
                .map(s -> new Service(s.service(), s.image(), s.state(), s.deployment(), s.rollback(), s.execution(), s.rollbackExecution()))
                .toList());
    }

    /** This release, which ended without its Record state, before the reconciler recorded it: {@code note} says so. */
    public ReleaseSummary unrecorded(String note) {
        return new ReleaseSummary(execution, name, status, outcome, reason == null ? note : reason + "; " + note, services);
    }

    /** The release workflow's error when its plan could not be made for another reason than the manifest: a FAILED release. */
    static final String PLAN_FAILED = "PLAN_FAILED";

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
            } else if (summary.path("errorMessage").isTextual()) {
                // Plan's Lambda error (a rejected manifest, or a plan that could not be made): what it names is the reason
                reason = summary.get("errorMessage").asText();
                summary = Json.object();
            }
        }
        List<Service> services = new ArrayList<>();
        for (JsonNode s : summary.path("services")) {
            services.add(new Service(s.path("service").asText(null), s.path("image").asText(null), s.path("state").asText(null),
                    s.path("deployment").asText(null), s.path("rollback").asText(null), s.path("execution").asText(null),
                    s.path("rollbackExecution").asText(null)));
        }
        return new ReleaseSummary(description.path("executionArn").asText(null), description.path("name").asText(null),
                status, PLAN_FAILED.equals(outcome) ? "FAILED" : outcome, reason, services);
    }

    public int exitCode() {
        return Outcomes.exitCode(outcome);
    }
}
