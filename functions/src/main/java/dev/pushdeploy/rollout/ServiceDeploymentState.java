package dev.pushdeploy.rollout;

import java.util.List;
import java.util.Set;

/**
 * One ECS service deployment (DescribeServiceDeployments): the change that moves a service to a
 * target revision, with the lifecycle stage it is in, the traffic the target revision gets, and
 * how it ended.
 *
 * @param status               PENDING, IN_PROGRESS, SUCCESSFUL, STOPPED, STOP_REQUESTED,
 *                             ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL or ROLLBACK_FAILED
 * @param stage                the lifecycle stage (e.g. TEST_TRAFFIC_SHIFT, BAKE_TIME); null when ECS reports none
 * @param targetTaskDefinition the task definition of the target service revision
 * @param productionPercent    the production traffic weight of the target revision (0–100); null when unknown
 * @param testPercent          its test traffic weight; null when unknown
 * @param rollbackReason       why ECS rolled back, when it did
 * @param triggeredAlarms      the deployment alarms ECS saw in ALARM
 * @param startedAt            epoch millis
 */
public record ServiceDeploymentState(String arn, String status, String statusReason, String stage, String targetRevisionArn,
                                     String targetTaskDefinition, Double productionPercent, Double testPercent,
                                     String rollbackReason, List<String> triggeredAlarms, long startedAt) {
    static final Set<String> ROLLING_BACK = Set.of("ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL",
            "ROLLBACK_FAILED");

    public ServiceDeploymentState {
        triggeredAlarms = triggeredAlarms == null ? List.of() : List.copyOf(triggeredAlarms);
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

    /** Stopped without a rollback (a newer deployment replaced it, or someone stopped it). */
    public boolean stopped() {
        return "STOPPED".equals(status) || "STOP_REQUESTED".equals(status);
    }
}
