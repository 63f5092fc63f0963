package dev.pushdeploy.rollout;

import dev.pushdeploy.config.Strategy;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.rollout.RolloutSnapshot.ContainerState;
import dev.pushdeploy.rollout.RolloutSnapshot.SmokeResult;
import dev.pushdeploy.rollout.RolloutSnapshot.TargetState;
import dev.pushdeploy.rollout.RolloutSnapshot.TaskState;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds {@link RolloutSnapshot}s for verdict tests, starting from a healthy rollout of
 * revision 2 (deployment {@link #OURS}, 2/2 tasks, both targets healthy) after revision 1
 * (deployment {@link #OLD}, drained).
 */
public final class Snapshots {
    public static final String REV1 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1";
    public static final String REV2 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2";
    public static final String TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";
    public static final String ALT_TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-alt/fedcba9876543210";
    public static final String SERVICE_DEPLOYMENT = "arn:aws:ecs:us-east-1:123456789012:service-deployment/pushdeploy/web/sd2";
    public static final String OURS = "ecs-svc/4203384927183920012";
    public static final String OLD = "ecs-svc/8127781203018472211";
    public static final String ROLLBACK = "ecs-svc/5550001112223334445";
    public static final long STARTED = 1_750_000_000_000L;
    public static final long DEADLINE = STARTED + 600_000L;

    String serviceTaskDefinition = REV2;
    List<Deployment> deployments = new ArrayList<>();
    List<String> targetGroups = new ArrayList<>(List.of(TG));
    List<String> events = new ArrayList<>();
    List<TaskState> tasks = new ArrayList<>();
    List<TargetState> targets = new ArrayList<>();
    SmokeResult smoke;
    Strategy.Type strategy = Strategy.Type.ROLLING;
    List<String> alternateTargetGroups = new ArrayList<>();
    List<AlarmStates.AlarmState> alarms = new ArrayList<>();
    ServiceDeploymentState serviceDeployment;
    HookRecords.HookRecord hook;
    Integer serviceDesired;

    public static Snapshots healthy() {
        Snapshots s = new Snapshots();
        s.deployments.add(primary(OURS, REV2, "COMPLETED", 2, 2));
        s.tasks.add(running("t-ours-1", OURS, REV2, "10.0.1.11"));
        s.tasks.add(running("t-ours-2", OURS, REV2, "10.0.1.12"));
        s.tasks.add(stopped("t-old-1", OLD, REV1, "ServiceSchedulerInitiated",
                "Scaling activity initiated by (deployment " + OURS + ")", container("app", 143, null)));
        s.targets.add(target("10.0.1.11", "healthy", null));
        s.targets.add(target("10.0.1.12", "healthy", null));
        s.events.add("(service web) has reached a steady state.");
        s.events.add("(service web) (deployment " + OURS + ") deployment completed.");
        return s;
    }

    public static Deployment primary(String id, String taskDefinition, String rolloutState, int running, int desired) {
        return new Deployment(id, "PRIMARY", taskDefinition, rolloutState, "ECS deployment " + id + " "
                + rolloutState.toLowerCase().replace('_', ' ') + ".", running, desired, Math.max(0, desired - running), 0);
    }

    public static Deployment deployment(String id, String status, String taskDefinition, String rolloutState,
                                 String reason, int running, int desired, int failed) {
        return new Deployment(id, status, taskDefinition, rolloutState, reason, running, desired,
                Math.max(0, desired - running), failed);
    }

    public static TaskState running(String id, String startedBy, String taskDefinition, String ip) {
        return new TaskState("arn:aws:ecs:us-east-1:123456789012:task/pushdeploy/" + id, startedBy, taskDefinition,
                "RUNNING", "RUNNING", null, null, List.of(new ContainerState("app", "RUNNING", null, null)), ip);
    }

    public static TaskState stopped(String id, String startedBy, String taskDefinition, String stopCode, String reason,
                             ContainerState... containers) {
        return new TaskState("arn:aws:ecs:us-east-1:123456789012:task/pushdeploy/" + id, startedBy, taskDefinition,
                "STOPPED", "STOPPED", stopCode, reason, List.of(containers), null);
    }

    public static ContainerState container(String name, Integer exitCode, String reason) {
        return new ContainerState(name, "STOPPED", exitCode, reason);
    }

    public static TargetState target(String ip, String state, String reason) {
        return new TargetState(TG, ip, 8080, state, reason);
    }

    public static Rollout rollout(String deploymentId, String taskDefinition) {
        return new Rollout(deploymentId, taskDefinition, STARTED, DEADLINE, true, null);
    }

    Snapshots deployments(Deployment... replacement) {
        deployments = new ArrayList<>(List.of(replacement));
        return this;
    }

    Snapshots service(String taskDefinition) {
        serviceTaskDefinition = taskDefinition;
        return this;
    }

    /** The service's own desiredCount (DescribeServices' {@code services[].desiredCount}); unknown when not set. */
    Snapshots serviceDesired(int count) {
        serviceDesired = count;
        return this;
    }

    Snapshots tasks(TaskState... replacement) {
        tasks = new ArrayList<>(List.of(replacement));
        return this;
    }

    Snapshots addTask(TaskState task) {
        tasks.add(task);
        return this;
    }

    Snapshots targets(TargetState... replacement) {
        targets = new ArrayList<>(List.of(replacement));
        return this;
    }

    Snapshots noTargetGroups() {
        targetGroups = new ArrayList<>();
        targets = new ArrayList<>();
        return this;
    }

    Snapshots event(String message) {
        events.add(0, message);
        return this;
    }

    Snapshots smoke(boolean ok, String detail) {
        smoke = new SmokeResult(ok, detail);
        return this;
    }

    /** The service shifts traffic with {@code type} between {@link #TG} and {@link #ALT_TG}. */
    Snapshots strategy(Strategy.Type type) {
        strategy = type;
        alternateTargetGroups = new ArrayList<>(List.of(ALT_TG));
        return this;
    }

    /** An alarm the run is judged by that CloudWatch no longer has. */
    Snapshots missingAlarm(String name) {
        alarms.add(AlarmStates.AlarmState.missing(name));
        return this;
    }

    Snapshots alarm(String name, String state, long since) {
        alarms.add(new AlarmStates.AlarmState(name, state, "Threshold Crossed: 1 datapoint [12.5] was greater than 5.0", since));
        return this;
    }

    /** ECS's service deployment of revision 2 in {@code status} at {@code stage}, {@code production} % of production traffic. */
    Snapshots shift(String status, String stage, Double production, String rollbackReason, String... triggeredAlarms) {
        serviceDeployment = new ServiceDeploymentState(SERVICE_DEPLOYMENT, status, null, stage,
                "arn:aws:ecs:us-east-1:123456789012:service-revision/pushdeploy/web/2", REV2, production, 100.0,
                rollbackReason, List.of(triggeredAlarms), STARTED);
        return this;
    }

    /**
     * ECS's service deployment of {@code target} as DescribeServiceDeployments shows it for a rolling service:
     * {@code status} and {@code statusReason}, the rollback ({@code rollbackTo}: the revision it returns to,
     * null when none), the circuit breaker and the target revision's task counts.
     */
    Snapshots rolling(String status, String statusReason, String target, String rollbackReason, String rollbackTo,
                      ServiceDeploymentState.CircuitBreaker breaker, ServiceDeploymentState.Tasks counts, String... triggeredAlarms) {
        serviceDeployment = new ServiceDeploymentState(ROLLING_DEPLOYMENT, status, statusReason, null,
                "arn:aws:ecs:us-east-1:123456789012:service-revision/pushdeploy/web/4980306466373577095", target, null, null,
                rollbackReason, List.of(triggeredAlarms), STARTED, rollbackTo, breaker, counts);
        return this;
    }

    /** A service deployment ARN as ECS forms them (the API reference's example). */
    public static final String ROLLING_DEPLOYMENT = "arn:aws:ecs:us-east-1:123456789012:service-deployment/pushdeploy/web/NCWGC2ZR-taawPAYrIaU5";

    Snapshots hook(String stage, double maxPercent, String failure) {
        hook = new HookRecords.HookRecord(SERVICE_DEPLOYMENT, "pushdeploy/web", stage, maxPercent,
                failure == null ? "SUCCEEDED" : "FAILED", failure, STARTED + 60_000);
        return this;
    }

    public RolloutSnapshot build() {
        return new RolloutSnapshot(new ServiceState(serviceTaskDefinition, deployments, targetGroups, events, strategy,
                alternateTargetGroups, null, serviceDesired), tasks, targets, smoke, alarms, serviceDeployment, hook);
    }
}
