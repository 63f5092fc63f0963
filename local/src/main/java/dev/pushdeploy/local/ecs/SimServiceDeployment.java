package dev.pushdeploy.local.ecs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One service deployment, as ListServiceDeployments / DescribeServiceDeployments show it: the
 * change an UpdateService started, from its source revisions to its target revision, including
 * the circuit breaker's rollback (which ECS runs as a further deployment of the service, but
 * reports within the same service deployment). It is created PENDING, as ECS documents, and is
 * IN_PROGRESS from the next step of the simulation on.
 */
final class SimServiceDeployment {
    static final String PENDING = "PENDING";
    static final String IN_PROGRESS = "IN_PROGRESS";
    static final String SUCCESSFUL = "SUCCESSFUL";
    static final String STOPPED = "STOPPED";
    static final String ROLLBACK_REQUESTED = "ROLLBACK_REQUESTED";
    static final String ROLLBACK_IN_PROGRESS = "ROLLBACK_IN_PROGRESS";
    static final String ROLLBACK_SUCCESSFUL = "ROLLBACK_SUCCESSFUL";
    static final String ROLLBACK_FAILED = "ROLLBACK_FAILED";

    final String arn;
    final String targetRevision;
    final String targetTaskDefinition;
    /** Service revision ARNs of the deployments that were running when it started. */
    final List<String> sourceRevisions;
    final double createdAt;
    final int threshold;
    final boolean circuitBreaker;
    final boolean rollbackEnabled;
    String status = PENDING;
    String statusReason;
    double updatedAt;
    Double finishedAt;
    Double stoppedAt;
    String rollbackReason;
    Double rollbackStartedAt;
    String rollbackRevision;
    boolean breakerTriggered;
    int failureCount;
    /** Traffic-shifting strategies: ECS's lifecycle stage and the target revision's requested weights. */
    String lifecycleStage;
    Double productionWeight;
    Double testWeight;
    /** The deployment alarms (monitored when not empty) and those ECS saw in ALARM. */
    java.util.List<String> alarms = java.util.List.of();
    final java.util.List<String> triggeredAlarms = new java.util.ArrayList<>();
    String strategy = "ROLLING";
    /** The shifting deployment ECS rolled back (the old revision kept running): done when its tasks are gone. */
    SimDeployment rolledBackFrom;
    /** The lifecycle stages whose hook ECS still invokes on the way back, and the invocation under way. */
    final java.util.Deque<String> rollbackHookStages = new java.util.ArrayDeque<>();
    HookCall rollbackHook;
    /** Per hook function, the hookDetails of its IN_PROGRESS answers, merged: ECS passes them on each of its invocations. */
    final Map<String, ObjectNode> hookDetails = new HashMap<>();

    SimServiceDeployment(String arn, String targetRevision, String targetTaskDefinition, List<String> sourceRevisions,
                         double createdAt, int threshold, boolean circuitBreaker, boolean rollbackEnabled) {
        this.arn = arn;
        this.targetRevision = targetRevision;
        this.targetTaskDefinition = targetTaskDefinition;
        this.sourceRevisions = List.copyOf(sourceRevisions);
        this.createdAt = createdAt;
        this.updatedAt = createdAt;
        this.threshold = threshold;
        this.circuitBreaker = circuitBreaker;
        this.rollbackEnabled = rollbackEnabled;
    }

    boolean finished() {
        return status.equals(SUCCESSFUL) || status.equals(STOPPED) || status.equals(ROLLBACK_SUCCESSFUL)
                || status.equals(ROLLBACK_FAILED);
    }

    void finish(double t, String newStatus, String reason) {
        status = newStatus;
        statusReason = reason;
        updatedAt = t;
        if (newStatus.equals(STOPPED)) {
            stoppedAt = t;
        } else {
            finishedAt = t;
        }
    }
}
