package dev.pushdeploy.local.ecs;

import dev.pushdeploy.local.ecs.Scenario.Fate;

/** One ECS deployment of a simulated service. */
final class SimDeployment {
    static final String IN_PROGRESS = "IN_PROGRESS";
    static final String COMPLETED = "COMPLETED";
    static final String FAILED = "FAILED";

    /** How the deployment came about. */
    enum Kind { INITIAL, UPDATE, ECS_ROLLBACK }

    final String id;
    final String taskDefinition;
    final Kind kind;
    final Fate fate;
    final boolean smokeFails;
    final double createdAt;
    double updatedAt;
    String rolloutState = IN_PROGRESS;
    String rolloutStateReason;
    int failedTasks;
    double nextLaunchAt;

    SimDeployment(String id, String taskDefinition, Kind kind, Fate fate, boolean smokeFails, double createdAt) {
        this.id = id;
        this.taskDefinition = taskDefinition;
        this.kind = kind;
        this.fate = fate;
        this.smokeFails = smokeFails;
        this.createdAt = createdAt;
        this.updatedAt = createdAt;
        this.nextLaunchAt = createdAt;
        this.rolloutStateReason = "ECS deployment " + id + " in progress.";
    }
}
