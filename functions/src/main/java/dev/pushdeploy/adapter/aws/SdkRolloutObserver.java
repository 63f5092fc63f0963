package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.error.AwsFailureException;
import java.util.function.Supplier;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.rollout.AlarmStates;
import dev.pushdeploy.rollout.EcsServices;
import dev.pushdeploy.rollout.HookRecords;
import dev.pushdeploy.rollout.ServiceDeploymentState;
import dev.pushdeploy.rollout.ServiceDeployments;
import dev.pushdeploy.rollout.RolloutObserver;
import dev.pushdeploy.rollout.RolloutSnapshot;
import dev.pushdeploy.rollout.ServiceState;
import dev.pushdeploy.rollout.SmokeCheck;
import dev.pushdeploy.config.Health;
import dev.pushdeploy.error.TransientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Attachment;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.ListTasksResponse;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/**
 * Builds a {@link RolloutSnapshot} with these calls, and reads only these fields (the local
 * ECS rollout simulator answers exactly them):
 * <ul>
 *   <li>ecs:DescribeServices(cluster, services=[service]) → {@code taskDefinition},
 *       {@code loadBalancers[].targetGroupArn}, {@code events[].message}, {@code deployments[]}
 *       {@code .id .status .taskDefinition .rolloutState .rolloutStateReason .runningCount
 *       .desiredCount .pendingCount .failedTasks} (see {@link SdkEcsServices});</li>
 *   <li>ecs:ListTasks(cluster, serviceName, desiredStatus=RUNNING, then STOPPED; all pages)
 *       → {@code taskArns}, {@code nextToken};</li>
 *   <li>ecs:DescribeTasks(cluster, tasks ≤ 100 per call) → {@code tasks[]} {@code .taskArn
 *       .startedBy .taskDefinitionArn .lastStatus .desiredStatus .stopCode .stoppedReason
 *       .containers[].name/.lastStatus/.exitCode/.reason .attachments[type=ElasticNetworkInterface]
 *       .details[name=privateIPv4Address].value};</li>
 *   <li>elasticloadbalancing:DescribeTargetHealth(targetGroupArn) per target group (the alternate
 *       ones of a traffic-shifting service included) → {@code targetHealthDescriptions[]}
 *       {@code .target.id .target.port .targetHealth.state .targetHealth.reason};</li>
 *   <li>the {@link SmokeCheck}, when the configuration names a smoke URL;</li>
 *   <li>for a rollout: the configured alarms' states ({@link AlarmStates}), the rollout's service
 *       deployment ({@link ServiceDeployments}): by the ARN the rollout recorded when it has one (when ECS
 *       stopped that one, the service's {@code currentServiceDeployment} if it moves the service to the same
 *       revision); else,
 *       for a rolling service, the service's {@code currentServiceDeployment} when it moves the service to
 *       the rollout's revision or rolls back to it (a service that names none, as an emulator without
 *       service deployments, is judged from DescribeServices alone); else the newest of the revision
 *       (ListServiceDeployments); and, when the service shifts traffic, the lifecycle hook's record of it
 *       ({@link HookRecords}).</li>
 * </ul>
 */
public final class SdkRolloutObserver implements RolloutObserver {
    private static final int DESCRIBE_TASKS_MAX = 100;
    /** ListTasks' pages of 100 read at most: twice the 5,000 tasks ECS runs per service (its quota), stopped ones besides. */
    static final int MAX_TASK_PAGES = 2 * 5_000 / 100;

    private final Supplier<EcsClient> ecs;
    private final EcsServices services;
    private final Supplier<ElasticLoadBalancingV2Client> elb;
    private final SmokeCheck smoke;
    private final ServiceDeployments serviceDeployments;
    private final AlarmStates alarms;
    private final HookRecords hooks;

    /** Without alarms or hook records: sees service deployments only. */
    public SdkRolloutObserver(EcsClient ecs, ElasticLoadBalancingV2Client elb, SmokeCheck smoke) {
        this(ecs, elb, smoke, names -> List.of(), null);
    }

    /**
     * @param hooks the lifecycle hook's records; null when the function has no table to read them from
     */
    public SdkRolloutObserver(EcsClient ecs, ElasticLoadBalancingV2Client elb, SmokeCheck smoke, AlarmStates alarms,
                              HookRecords hooks) {
        this(() -> ecs, () -> elb, smoke, alarms, hooks);
    }

    /** The clients built on first use: a path that never calls one never builds it. */
    public SdkRolloutObserver(Supplier<EcsClient> ecs, Supplier<ElasticLoadBalancingV2Client> elb, SmokeCheck smoke,
                              AlarmStates alarms, HookRecords hooks) {
        this.ecs = ecs;
        this.services = new SdkEcsServices(ecs);
        this.elb = elb;
        this.smoke = smoke;
        this.serviceDeployments = new SdkServiceDeployments(ecs);
        this.alarms = alarms;
        this.hooks = hooks;
    }

    @Override
    public RolloutSnapshot observe(String cluster, String service, Health health, Rollout rollout) {
        RolloutSnapshot base = observe(cluster, service, health);
        List<AlarmStates.AlarmState> states = health.alarms().isEmpty() ? List.of() : alarms.describeEach(health.alarms());
        ServiceDeploymentState deployment = serviceDeployment(cluster, service, base.service(), rollout);
        HookRecords.HookRecord hook = null;
        if (deployment != null && hooks != null && base.service().strategy().shiftsTraffic()) {
            hook = hooks.find(deployment.arn()).orElse(null);
        }
        return new RolloutSnapshot(base.service(), base.tasks(), base.targets(), base.smoke(), states, deployment, hook);
    }

    /**
     * The rollout's service deployment. A rolling service's deployments in DescribeServices say the same, less
     * precisely: when reading the service deployment fails transiently, the check judges from them instead of
     * failing as a whole (a traffic-shifting one needs its service deployment).
     */
    private ServiceDeploymentState serviceDeployment(String cluster, String service, ServiceState state, Rollout rollout) {
        if (state.strategy().shiftsTraffic()) {
            return readServiceDeployment(cluster, service, state, rollout);
        }
        try {
            return readServiceDeployment(cluster, service, state, rollout);
        } catch (TransientException e) {
            return null;
        }
    }

    private ServiceDeploymentState readServiceDeployment(String cluster, String service, ServiceState state, Rollout rollout) {
        if (rollout.serviceDeploymentArn() != null) {
            ServiceDeploymentState recorded = serviceDeployments.describe(rollout.serviceDeploymentArn()).orElse(null);
            return recorded != null && recorded.stopped() ? successor(state, recorded, rollout).orElse(recorded) : recorded;
        }
        if (!state.strategy().shiftsTraffic()) {
            if (state.currentServiceDeployment() == null) {
                return null;
            }
            ServiceDeploymentState current = serviceDeployments.describe(state.currentServiceDeployment()).orElse(null);
            if (current != null && (current.targets(rollout.taskDefinition()) || current.returnsTo(rollout.taskDefinition()))) {
                return current;
            }
        }
        return serviceDeployments.find(cluster, service, rollout.taskDefinition(), rollout.startedAt()).orElse(null);
    }

    /**
     * The service deployment that carries the rollout on after ECS stopped the recorded one: ECS stops a service
     * deployment when a newer one starts (a forced new deployment, a change of a service property), and when that one
     * moves the service to the same revision, the rollout goes on in it.
     */
    private Optional<ServiceDeploymentState> successor(ServiceState state, ServiceDeploymentState recorded, Rollout rollout) {
        String current = state.currentServiceDeployment();
        if (current == null || current.equals(recorded.arn())) {
            return Optional.empty();
        }
        return serviceDeployments.describe(current).filter(d -> d.targets(rollout.taskDefinition()));
    }

    @Override
    public RolloutSnapshot observe(String cluster, String service, Health health) {
        ServiceState state = services.require(cluster, service);
        java.util.Set<String> listed = new java.util.LinkedHashSet<>(taskArns(cluster, service, DesiredStatus.RUNNING));
        listed.addAll(taskArns(cluster, service, DesiredStatus.STOPPED)); // a task may stop between the two listings
        List<String> arns = new ArrayList<>(listed);
        List<RolloutSnapshot.TaskState> tasks = new ArrayList<>();
        for (int i = 0; i < arns.size(); i += DESCRIBE_TASKS_MAX) {
            List<String> batch = arns.subList(i, Math.min(arns.size(), i + DESCRIBE_TASKS_MAX));
            AwsCall.run("ecs:DescribeTasks " + cluster + "/" + service,
                            () -> ecs.get().describeTasks(r -> r.cluster(cluster).tasks(batch)))
                    .tasks().forEach(t -> tasks.add(task(t)));
        }
        List<RolloutSnapshot.TargetState> targets = new ArrayList<>();
        for (String group : state.allTargetGroupArns()) {
            AwsCall.run("elasticloadbalancing:DescribeTargetHealth " + group,
                            () -> elb.get().describeTargetHealth(r -> r.targetGroupArn(group)))
                    .targetHealthDescriptions()
                    .forEach(d -> targets.add(new RolloutSnapshot.TargetState(group, d.target().id(), d.target().port(),
                            d.targetHealth() == null ? null : d.targetHealth().stateAsString(),
                            d.targetHealth() == null ? null : d.targetHealth().reasonAsString())));
        }
        RolloutSnapshot.SmokeResult smoked = health.smokeUrl() == null ? null
                : smoke.probe(health.smokeUrl(), health.expectedStatus());
        return new RolloutSnapshot(state, tasks, targets, smoked);
    }

    private List<String> taskArns(String cluster, String service, DesiredStatus status) {
        List<String> arns = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            if (++pages > MAX_TASK_PAGES) {
                throw new AwsFailureException("ecs:ListTasks " + cluster + "/" + service + " " + status + " answered more than "
                        + MAX_TASK_PAGES + " pages of 100 tasks, twice the 5,000 tasks a service may run", null);
            }
            String page = token;
            ListTasksResponse response = AwsCall.run("ecs:ListTasks " + cluster + "/" + service + " " + status,
                    () -> ecs.get().listTasks(r -> r.cluster(cluster).serviceName(service).desiredStatus(status).nextToken(page)));
            arns.addAll(response.taskArns());
            token = response.nextToken();
        } while (token != null && !token.isEmpty());
        return arns;
    }

    private static RolloutSnapshot.TaskState task(Task t) {
        return new RolloutSnapshot.TaskState(t.taskArn(), t.startedBy(), t.taskDefinitionArn(), t.lastStatus(),
                t.desiredStatus(), t.stopCodeAsString(), t.stoppedReason(),
                t.containers().stream().map(c -> new RolloutSnapshot.ContainerState(
                        c.name(), c.lastStatus(), c.exitCode(), c.reason())).toList(),
                privateIp(t));
    }

    private static String privateIp(Task t) {
        for (Attachment attachment : t.attachments()) {
            if ("ElasticNetworkInterface".equals(attachment.type())) {
                for (KeyValuePair detail : attachment.details()) {
                    if ("privateIPv4Address".equals(detail.name())) {
                        return detail.value();
                    }
                }
            }
        }
        return null;
    }
}
