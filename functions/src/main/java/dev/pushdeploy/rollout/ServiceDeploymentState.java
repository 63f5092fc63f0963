package dev.pushdeploy.rollout;

import dev.pushdeploy.model.Revisions;
import java.util.List;
import java.util.Set;

/**
 * One ECS service deployment (DescribeServiceDeployments): the change that moves a service to a
 * target revision, with the lifecycle stage it is in, the traffic the target revision gets, the
 * failure detection ECS runs on it, and how it ended. A rollback by ECS (the circuit breaker, an
 * alarm, a stop request, a failed hook) is reported within the service deployment it rolls back:
 * status ROLLBACK_*, and {@code rollback.serviceRevisionArn} the revision it returns to.
 *
 * @param status                 PENDING, IN_PROGRESS, SUCCESSFUL, STOPPED, STOP_REQUESTED,
 *                               ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL or ROLLBACK_FAILED
 * @param stage                  the lifecycle stage (e.g. TEST_TRAFFIC_SHIFT, BAKE_TIME); null when ECS reports none
 * @param targetTaskDefinition   the task definition of the target service revision
 * @param productionPercent      the production traffic weight of the target revision (0–100); null when unknown
 * @param testPercent            its test traffic weight; null when unknown
 * @param rollbackReason         why ECS rolled back, when it did
 * @param triggeredAlarms        the deployment alarms ECS saw in ALARM
 * @param startedAt              epoch millis
 * @param rollbackTaskDefinition the task definition of the revision ECS rolls back to; null when it does not (or unknown)
 * @param circuitBreaker         {@code deploymentCircuitBreaker}; null when ECS reports none
 * @param tasks                  the target revision's task counts; null when ECS reports none
 */
public record ServiceDeploymentState(String arn, String status, String statusReason, String stage, String targetRevisionArn,
                                     String targetTaskDefinition, Double productionPercent, Double testPercent,
                                     String rollbackReason, List<String> triggeredAlarms, long startedAt,
                                     String rollbackTaskDefinition, CircuitBreaker circuitBreaker, Tasks tasks) {
    static final Set<String> ROLLING_BACK = Set.of("ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL",
            "ROLLBACK_FAILED");

    /**
     * ECS's circuit breaker on the service deployment.
     *
     * @param status TRIGGERED, MONITORING, MONITORING_COMPLETE or DISABLED
     */
    public record CircuitBreaker(String status, int failureCount, int threshold) {
        public boolean triggered() {
            return "TRIGGERED".equals(status);
        }
    }

    /** {@code targetServiceRevision}'s requested, running and pending task counts. */
    public record Tasks(int requested, int running, int pending) {
    }

    public ServiceDeploymentState {
        triggeredAlarms = triggeredAlarms == null ? List.of() : List.copyOf(triggeredAlarms);
    }

    /** Without rollback target, circuit breaker or task counts. */
    public ServiceDeploymentState(String arn, String status, String statusReason, String stage, String targetRevisionArn,
                                  String targetTaskDefinition, Double productionPercent, Double testPercent,
                                  String rollbackReason, List<String> triggeredAlarms, long startedAt) {
        this(arn, status, statusReason, stage, targetRevisionArn, targetTaskDefinition, productionPercent, testPercent,
                rollbackReason, triggeredAlarms, startedAt, null, null, null);
    }

    /** ECS rolls (or rolled) this deployment back. */
    public boolean rollingBack() {
        return ROLLING_BACK.contains(status);
    }

    /** Still moving forward: a stop request would roll it back. */
    public boolean inProgress() {
        return "PENDING".equals(status) || "IN_PROGRESS".equals(status);
    }

    public boolean successful() {
        return "SUCCESSFUL".equals(status);
    }

    /** ECS's rollback is over, the service back on the revision it returned to. */
    public boolean rolledBack() {
        return "ROLLBACK_SUCCESSFUL".equals(status);
    }

    /** Stopped without a rollback (a newer deployment replaced it, someone stopped it, or it failed without the rollback option). */
    public boolean stopped() {
        return "STOPPED".equals(status) || "STOP_REQUESTED".equals(status);
    }

    /** This service deployment moves the service to {@code revision}. */
    public boolean targets(String revision) {
        return Revisions.same(targetTaskDefinition, revision);
    }

    /**
     * ECS rolls this service deployment back to {@code revision} (a rollback whose target ECS does not name
     * counts, unless it targets {@code revision} itself).
     */
    public boolean returnsTo(String revision) {
        return rollingBack() && !targets(revision)
                && (rollbackTaskDefinition == null || Revisions.same(rollbackTaskDefinition, revision));
    }
}
