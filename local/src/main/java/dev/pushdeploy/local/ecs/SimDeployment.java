package dev.pushdeploy.local.ecs;

import dev.pushdeploy.local.ecs.Scenario.Fate;

/** One ECS deployment of a simulated service (an entry of DescribeServices' {@code deployments}). */
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
    /** The service deployment (ListServiceDeployments) this deployment belongs to; a rollback shares its origin's. */
    final SimServiceDeployment serviceDeployment;
    double updatedAt;
    String rolloutState = IN_PROGRESS;
    String rolloutStateReason;
    int failedTasks;
    /** Why its tasks cannot start (PULL_FAILS), as ECS's stopped reason says it; null when they can. */
    String startFailure;
    double nextLaunchAt;
    boolean startImpairedReported;
    /** StopServiceDeployment asked for a rollback; ECS starts it at the next step. */
    boolean stopRequested;
    /** The target group its tasks register in. */
    String targetGroup;
    /** Traffic-shifting strategies: the lifecycle stage, since when, and the traffic the revision gets. */
    String stage;
    double stageSince;
    double productionWeight;
    double testWeight;
    /** Index into the strategy's production shares of the current one (-1 before the first). */
    int share = -1;
    /** The alarm-in-bake scenario: the first deployment alarm goes into ALARM during the bake. */
    boolean alarmInBake;
    /** The lifecycle hook invocation this deployment waits for; null when none. */
    HookCall hook;

    SimDeployment(String id, String taskDefinition, Kind kind, Fate fate, boolean smokeFails, double createdAt,
                  SimServiceDeployment serviceDeployment) {
        this.id = id;
        this.taskDefinition = taskDefinition;
        this.kind = kind;
        this.fate = fate;
        this.smokeFails = smokeFails;
        this.createdAt = createdAt;
        this.updatedAt = createdAt;
        this.nextLaunchAt = createdAt;
        this.serviceDeployment = serviceDeployment;
        this.rolloutStateReason = "ECS deployment " + id + " in progress.";
    }
}
