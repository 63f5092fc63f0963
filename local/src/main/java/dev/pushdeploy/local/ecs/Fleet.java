package dev.pushdeploy.local.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.model.TaskDefinition;
import dev.pushdeploy.local.ecs.Scenario.Fate;
import dev.pushdeploy.local.ecs.SimDeployment.Kind;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The simulated state of every ECS service the simulator has seen: deployments that progress
 * with simulated time, tasks that start, pass or fail health checks and stop, the circuit
 * breaker (0.5 × desired failed tasks, at least 3, at most 200) and its rollback to the last
 * completed deployment, the service deployments ECS reports for them, and the events ECS sends
 * to EventBridge, each at the simulated moment it happens. Pure state: the HTTP side lives in
 * {@link EcsSimulator}.
 *
 * <p>Time moves in steps of {@value #STEP} s, but only steps where something changes are taken:
 * {@link #nextChangeAt()} says when the next one is, so a long rollout costs no more work than a
 * short one. The pace stretches every phase of a task's life (provisioning, image pull, health
 * checks, draining, relaunch back-off) alike: at pace 1 a healthy rollout completes
 * {@value #HEALTHY_ROLLOUT_UNITS} s after it starts; a crashing container still exits
 * {@value SimTask#CRASH_AFTER_START} s after it started.
 */
final class Fleet {
    static final double STEP = 0.25;
    /** Pace units from UpdateService to COMPLETED for a healthy rollout (tasks healthy at 5, old ones drained 3 later). */
    static final double HEALTHY_ROLLOUT_UNITS = 8;
    private static final double RELAUNCH_UNITS = 2;
    private static final String STOP_REASON = "Service deployment rolled back because of a stop request.";
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private final Clock clock;
    private final Function<String, TaskDefinition> taskDefinitions;
    private final Map<String, SimService> services = new LinkedHashMap<>();
    private final Map<String, Scenario> imageScenarios = new HashMap<>();
    private final java.util.Set<String> unpullable = new java.util.HashSet<>();
    private final java.util.Set<String> missingParameters = new java.util.HashSet<>();
    private final List<DeploymentStart> starts = new ArrayList<>();
    private final Map<String, TrafficShift> shifts = new HashMap<>();
    /** Deployment alarm name → simulated time it entered ALARM (absent: OK). */
    private final Map<String, Double> alarmsOn = new HashMap<>();
    private Consumer<ObjectNode> events = event -> { };
    private Scenario scenario = Scenario.HEALTHY;
    private double pace = 1;
    private double lastStep;
    private int addresses;

    /**
     * @param taskDefinitions describes a task definition; called under the fleet's lock, so it should
     *                        answer from memory (the simulator looks each one up before it gets here)
     */
    Fleet(Clock clock, Function<String, TaskDefinition> taskDefinitions) {
        this.clock = clock;
        this.taskDefinitions = taskDefinitions;
        this.lastStep = grid(now());
    }

    /** Where the events ECS sends to EventBridge go (in the order they happen). */
    synchronized void events(Consumer<ObjectNode> sink) {
        this.events = sink;
    }

    synchronized void scenario(Scenario scenario) {
        this.scenario = scenario;
    }

    synchronized Scenario scenario() {
        return scenario;
    }

    /** How long a healthy rollout of the tasks started from now on takes, in simulated seconds. */
    synchronized void rolloutSeconds(double seconds) {
        if (!(seconds >= HEALTHY_ROLLOUT_UNITS * STEP)) {
            throw new IllegalArgumentException("a rollout takes at least " + HEALTHY_ROLLOUT_UNITS * STEP + " s, not " + seconds);
        }
        this.pace = seconds / HEALTHY_ROLLOUT_UNITS;
    }

    /** New revisions with this image digest behave per {@code scenario}, whatever the run's scenario. */
    synchronized void imageScenario(String digest, Scenario scenario) {
        imageScenarios.put(digest, scenario);
    }

    /**
     * An image reference no registry holds (the stack's bootstrap tag, never pushed): tasks of a revision that runs it
     * fail to start with CannotPullContainerError, whatever the scenario, also on a revision that once completed.
     */
    synchronized void unpullable(String image) {
        unpullable.add(image);
    }

    /** What the registry answered of an image just now: tasks started from now on pull it, or fail to as above. */
    synchronized void registryHolds(String image, boolean held) {
        if (held) {
            unpullable.remove(image);
        } else {
            unpullable.add(image);
        }
    }

    /**
     * What Parameter Store answered of a parameter a container's secret names just now: tasks started from now on read it,
     * or fail to start as ECS's agent does when a secret's parameter does not exist (ResourceInitializationError).
     */
    synchronized void parameterExists(String name, boolean exists) {
        if (exists) {
            missingParameters.remove(name);
        } else {
            missingParameters.add(name);
        }
    }

    /**
     * Why no task of the revision can start, worded as ECS's stopped reason: an image no registry holds, or a secret whose
     * parameter does not exist; null when they can start.
     */
    private String startFailure(TaskDefinition revision) {
        for (TaskDefinition.Container container : revision.containers()) {
            if (unpullable.contains(container.image())) {
                return "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref "
                        + container.image() + ": not found";
            }
        }
        for (TaskDefinition.Container container : revision.containers()) {
            for (String valueFrom : container.secrets().values()) {
                String name = EcsSimulator.parameterName(valueFrom);
                if (name != null && missingParameters.contains(name)) {
                    return "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed:"
                            + " unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: " + name;
                }
            }
        }
        return null;
    }

    /** The traffic-shifting strategy of a service (cluster/service) adopted from now on; null for ROLLING. */
    synchronized void trafficShift(String serviceKey, TrafficShift shift) {
        if (shift == null) {
            shifts.remove(serviceKey);
        } else {
            shifts.put(serviceKey, shift);
        }
        SimService known = services.get(serviceKey);
        if (known != null) {
            known.shift = shift;
        }
    }

    /** Since when (epoch millis) a deployment alarm is in ALARM; empty while it is OK. */
    synchronized java.util.OptionalLong alarmSince(String alarm) {
        Double since = alarmsOn.get(alarm);
        return since != null && since <= now() ? java.util.OptionalLong.of(Math.round(since * 1000)) : java.util.OptionalLong.empty();
    }

    /** Whether a deployment alarm is in ALARM now. */
    synchronized boolean inAlarm(String alarm) {
        Double since = alarmsOn.get(alarm);
        return since != null && since <= now();
    }

    synchronized void reset() {
        services.clear();
        shifts.clear();
        alarmsOn.clear();
        starts.clear();
        imageScenarios.clear();
        unpullable.clear();
        missingParameters.clear();
        scenario = Scenario.HEALTHY;
        pace = 1;
    }

    synchronized boolean knows(String cluster, String service) {
        return services.containsKey(cluster + "/" + service);
    }

    synchronized boolean knowsCluster(String cluster) {
        return services.values().stream().anyMatch(s -> s.cluster.equals(cluster));
    }

    /** Takes over a service moto created: its one deployment is complete, with all tasks running and healthy. */
    synchronized void adopt(JsonNode motoService) {
        String cluster = lastSegment(motoService.path("clusterArn").asText());
        String name = motoService.path("serviceName").asText();
        if (services.containsKey(cluster + "/" + name)) {
            return;
        }
        advance();
        Map<String, Integer> targetGroups = new LinkedHashMap<>();
        motoService.path("loadBalancers").forEach(lb -> {
            if (lb.hasNonNull("targetGroupArn")) {
                targetGroups.put(lb.get("targetGroupArn").asText(), lb.path("containerPort").asInt());
            }
        });
        SimService service = new SimService(cluster, motoService.path("clusterArn").asText(), name,
                motoService.path("serviceArn").asText(), targetGroups, motoService.path("networkConfiguration"));
        configure(service, motoService);
        if (motoService.hasNonNull("platformVersion")) {
            service.platformVersion = motoService.get("platformVersion").asText();
        }
        service.shift = shifts.get(service.key());
        service.liveGroup = service.firstGroup();
        JsonNode first = motoService.path("deployments").path(0);
        String id = first.path("id").asText(newDeploymentId());
        // A service first seen is steady on the revision it names (moto's deployments keep the
        // revision it was created with, whatever UpdateService asked before the simulator saw it).
        String taskDefinition = motoService.path("taskDefinition").asText(first.path("taskDefinition").asText());
        double t = lastStep - 600;
        SimServiceDeployment record = newServiceDeployment(service, taskDefinition, List.of(), t);
        SimDeployment initial = new SimDeployment(id, taskDefinition, Kind.INITIAL, Fate.HEALTHY, false, t, record);
        initial.targetGroup = service.liveGroup;
        service.deployments.add(initial);
        for (int i = 0; i < service.desired; i++) {
            SimTask task = launch(service, initial, t, 1);
            task.advance(t + 10, service.loadBalanced(), service.firstGroup());
            task.reported = task.status();
        }
        complete(service, initial, t + 10, false);
        services.put(service.key(), service);
    }

    /**
     * Applies an UpdateService moto accepted: a new task definition (or a forced deployment) starts a
     * new PRIMARY deployment; the previous one stays ACTIVE until the new one replaces its tasks.
     */
    synchronized void updated(JsonNode motoService, JsonNode request) {
        advance();
        SimService service = services.get(lastSegment(motoService.path("clusterArn").asText()) + "/"
                + motoService.path("serviceName").asText());
        configure(service, motoService);
        configure(service, request);
        boolean forceNewDeployment = request.path("forceNewDeployment").asBoolean(false);
        String taskDefinition = motoService.path("taskDefinition").asText();
        if (!forceNewDeployment && taskDefinition.equals(service.primary().taskDefinition)) {
            scaleIn(service, lastStep);
            return;
        }
        double t = lastStep;
        SimDeployment replaced = service.primary();
        SimServiceDeployment superseded = replaced.serviceDeployment;
        if (!superseded.finished()) {
            superseded.finish(t, SimServiceDeployment.STOPPED, "ECS stopped the service deployment: a newer one started.");
        }
        List<String> sources = service.deployments.stream().map(d -> revision(service, d.taskDefinition)).distinct().toList();
        SimDeployment deployment = newDeployment(service, taskDefinition, Kind.UPDATE, t,
                newServiceDeployment(service, taskDefinition, sources, t));
        starts.add(new DeploymentStart(service.key(), deployment.id, taskDefinition, replaced.id,
                replaced.taskDefinition, replaced.rolloutState));
        service.deployments.add(0, deployment);
        service.event(t, "has started a deployment " + deployment.id + " of " + lastSegment(taskDefinition) + ".");
        events.accept(EcsEvents.deploymentStateChange(service, deployment, EcsEvents.IN_PROGRESS,
                deployment.rolloutStateReason, t));
        step(service, t);
    }

    /**
     * A desired count lowered without a new deployment: the PRIMARY deployment's tasks beyond it are stopped (as
     * ECS scales a service in); a PRIMARY still in progress then completes with the tasks it has.
     */
    private void scaleIn(SimService service, double t) {
        SimDeployment primary = service.primary();
        List<SimTask> live = service.tasksOf(primary).stream().filter(SimTask::live).toList();
        for (int i = service.desired; i < live.size(); i++) {
            live.get(i).drain(t, primary.id, pace);
        }
        if (live.size() > service.desired) {
            service.event(t, "has stopped " + (live.size() - service.desired) + " running tasks: the desired count is "
                    + service.desired + ".");
            step(service, t);
        }
    }

    /** Replaces moto's view of a service (deployments, counts, task definition, events) by the simulated one. */
    synchronized void decorate(ObjectNode motoService) {
        advance();
        SimService service = services.get(lastSegment(motoService.path("clusterArn").asText()) + "/"
                + motoService.path("serviceName").asText());
        if (service == null) {
            return;
        }
        ArrayNode deployments = Json.mapper().createArrayNode();
        int running = 0;
        int pending = 0;
        for (SimDeployment d : service.deployments) {
            ObjectNode node = deployments.addObject();
            List<SimTask> tasks = service.tasksOf(d);
            int dRunning = count(tasks, SimTask.RUNNING);
            int dPending = count(tasks, SimTask.PROVISIONING) + count(tasks, SimTask.PENDING);
            running += dRunning;
            pending += dPending;
            node.put("id", d.id);
            node.put("status", d == service.primary() ? "PRIMARY" : "ACTIVE");
            node.put("taskDefinition", d.taskDefinition);
            node.put("desiredCount", d == service.primary()
                    ? (SimDeployment.FAILED.equals(d.rolloutState) ? 0 : service.desired)
                    : (int) tasks.stream().filter(SimTask::live).count());
            node.put("pendingCount", dPending);
            node.put("runningCount", dRunning);
            node.put("failedTasks", d.failedTasks);
            node.put("createdAt", d.createdAt);
            node.put("updatedAt", d.updatedAt);
            node.put("launchType", "FARGATE");
            node.put("platformVersion", service.platformVersion);
            node.put("platformFamily", "Linux");
            if (!service.networkConfiguration.isMissingNode()) {
                node.set("networkConfiguration", service.networkConfiguration.deepCopy());
            }
            node.put("rolloutState", d.rolloutState);
            node.put("rolloutStateReason", d.rolloutStateReason);
        }
        motoService.set("deployments", deployments);
        motoService.put("taskDefinition", service.primary().taskDefinition);
        if (service.primary().serviceDeployment != null) {
            motoService.put("currentServiceDeployment", service.primary().serviceDeployment.arn);
        }
        motoService.put("desiredCount", service.desired);
        motoService.put("runningCount", running);
        motoService.putObject("deploymentConfiguration").put("maximumPercent", service.maximumPercent)
                .put("minimumHealthyPercent", service.minimumHealthyPercent)
                .putObject("deploymentCircuitBreaker").put("enable", service.circuitBreaker)
                .put("rollback", service.circuitBreakerRollback);
        motoService.put("pendingCount", pending);
        if (service.shiftsTraffic()) {
            ObjectNode configuration = (ObjectNode) motoService.path("deploymentConfiguration");
            configuration.put("strategy", service.shift.strategy());
            configuration.put("bakeTimeInMinutes", service.shift.bakeMinutes());
            for (JsonNode balancer : motoService.path("loadBalancers")) {
                if (balancer instanceof ObjectNode lb && lb.hasNonNull("targetGroupArn")) {
                    lb.putObject("advancedConfiguration").put("alternateTargetGroupArn", service.shift.alternateTargetGroup());
                }
            }
        }
        ArrayNode events = Json.mapper().createArrayNode();
        for (SimService.Event e : service.events) {
            events.addObject().put("id", e.id()).put("createdAt", e.at()).put("message", e.message());
        }
        motoService.set("events", events);
    }

    /** ListTasks: ARNs of the cluster's tasks (optionally one service's) with the given desired status. */
    synchronized List<String> listTasks(String cluster, String serviceName, String desiredStatus, String startedBy,
                                        String family) {
        advance();
        return services.values().stream()
                .filter(s -> s.cluster.equals(cluster) && (serviceName == null || s.name.equals(serviceName)))
                .flatMap(s -> s.tasks.stream())
                .filter(t -> desiredStatus.equals(t.desiredStatus))
                .filter(t -> startedBy == null || startedBy.equals(t.deployment.id))
                .filter(t -> family == null || family.equals(family(t.deployment.taskDefinition)))
                .map(t -> t.arn)
                .toList();
    }

    /** DescribeTasks for one task ARN or id; empty when the cluster has no such task. */
    synchronized Optional<ObjectNode> describeTask(String cluster, String arnOrId) {
        advance();
        String id = lastSegment(arnOrId);
        for (SimService service : services.values()) {
            if (!service.cluster.equals(cluster)) {
                continue;
            }
            for (SimTask task : service.tasks) {
                if (task.id.equals(id)) {
                    return Optional.of(render(service, task));
                }
            }
        }
        return Optional.empty();
    }

    /** The targets of a target group (running and draining tasks), or empty when no simulated service uses it. */
    synchronized Optional<List<Target>> targets(String targetGroupArn) {
        advance();
        List<SimService> users = services.values().stream().filter(s -> s.uses(targetGroupArn)).toList();
        if (users.isEmpty()) {
            return Optional.empty();
        }
        List<Target> targets = new ArrayList<>();
        for (SimService service : users) {
            for (SimTask task : service.tasks) {
                if (task.targetState != null && (task.targetGroup == null || task.targetGroup.equals(targetGroupArn))) {
                    targets.add(new Target(task.ip, service.port(targetGroupArn), task.targetState, task.targetReason));
                }
            }
        }
        return Optional.of(targets);
    }

    /**
     * What an HTTP check through the service's load balancer sees: 200 while every healthy target
     * serves a good revision, 503 when a bad-smoke revision serves or no target is healthy; empty for
     * an unknown service.
     */
    synchronized Optional<Integer> smokeStatus(String cluster, String serviceName) {
        advance();
        SimService service = services.get(cluster + "/" + serviceName);
        if (service == null) {
            return Optional.empty();
        }
        List<SimTask> serving = service.tasks.stream()
                .filter(t -> service.loadBalanced() ? "healthy".equals(t.targetState) : SimTask.RUNNING.equals(t.lastStatus))
                .filter(t -> productionWeight(service, t.deployment) > 0)
                .toList();
        boolean bad = serving.isEmpty() || serving.stream().anyMatch(t -> t.deployment.smokeFails);
        return Optional.of(bad ? 503 : 200);
    }

    /**
     * What a request through the test listener rule sees: with the rule's header, the revision under
     * test while it gets test traffic (200 when its healthy targets serve a good revision); without
     * it, or when nothing is under test, the production answer. Empty for an unknown service.
     */
    synchronized Optional<Integer> testStatus(String cluster, String serviceName, String headerValue) {
        advance();
        SimService service = services.get(cluster + "/" + serviceName);
        if (service == null) {
            return Optional.empty();
        }
        SimDeployment primary = service.primary();
        if (!service.shiftsTraffic() || headerValue == null || !headerValue.equals(service.shift.testHeaderValue())
                || primary.testWeight <= 0) {
            return smokeStatus(cluster, serviceName);
        }
        List<SimTask> serving = service.tasksOf(primary).stream().filter(t -> "healthy".equals(t.targetState)).toList();
        return Optional.of(serving.isEmpty() || primary.smokeFails ? 503 : 200);
    }

    /** The share of production traffic a deployment's tasks get (ROLLING: every serving task). */
    private static double productionWeight(SimService service, SimDeployment d) {
        if (!service.shiftsTraffic()) {
            return 100;
        }
        SimDeployment primary = service.primary();
        boolean shifting = primary.kind == Kind.UPDATE && SimDeployment.IN_PROGRESS.equals(primary.rolloutState);
        if (!shifting) {
            return d == primary ? 100 : 0;
        }
        return d == primary ? primary.productionWeight : 100 - primary.productionWeight;
    }

    /**
     * ListServiceDeployments: the service's service deployments, newest first, with one of the
     * statuses (all when empty) and created within [after, before] (epoch seconds, null for open).
     */
    synchronized Optional<List<ObjectNode>> serviceDeployments(String cluster, String serviceName, Set<String> statuses,
                                                               Double after, Double before) {
        advance();
        SimService service = services.get(cluster + "/" + serviceName);
        if (service == null) {
            return Optional.empty();
        }
        List<ObjectNode> briefs = new ArrayList<>();
        for (SimServiceDeployment d : service.serviceDeployments.reversed()) {
            if ((statuses.isEmpty() || statuses.contains(d.status)) && (after == null || d.createdAt >= after)
                    && (before == null || d.createdAt <= before)) {
                briefs.add(identity(service, d).put("targetServiceRevisionArn", d.targetRevision));
            }
        }
        return Optional.of(briefs);
    }

    /** DescribeServiceDeployments for one ARN; empty when there is no such service deployment. */
    synchronized Optional<ObjectNode> describeServiceDeployment(String arn) {
        advance();
        for (SimService service : services.values()) {
            for (SimServiceDeployment d : service.serviceDeployments) {
                if (d.arn.equals(arn)) {
                    return Optional.of(render(service, d));
                }
            }
        }
        return Optional.empty();
    }

    /** What StopServiceDeployment found. */
    enum StopOutcome { STOPPING, NOT_FOUND, FINISHED }

    /**
     * StopServiceDeployment with stop type ROLLBACK, per state as ECS documents it: a PENDING or IN_PROGRESS service
     * deployment goes ROLLBACK_REQUESTED and the service goes back to the revision that was live before it (its last
     * completed one), as a rollback of that deployment; one already ROLLBACK_REQUESTED or ROLLBACK_IN_PROGRESS is
     * accepted and its rollback continues unchanged; a finished one is refused ({@link StopOutcome#FINISHED}). The
     * simulator accepts no other stop type, so a service deployment is never STOP_REQUESTED here.
     */
    synchronized StopOutcome stopServiceDeployment(String arn) {
        advance();
        for (SimService service : services.values()) {
            for (SimServiceDeployment d : service.serviceDeployments) {
                if (!d.arn.equals(arn)) {
                    continue;
                }
                if (d.finished()) {
                    return StopOutcome.FINISHED;
                }
                if (d.status.equals(SimServiceDeployment.ROLLBACK_REQUESTED)
                        || d.status.equals(SimServiceDeployment.ROLLBACK_IN_PROGRESS)) {
                    // ECS accepts the stop and the rollback already requested or under way goes on as it was.
                    return StopOutcome.STOPPING;
                }
                SimDeployment primary = service.primary();
                if (primary.serviceDeployment != d
                        || !(d.status.equals(SimServiceDeployment.IN_PROGRESS) || d.status.equals(SimServiceDeployment.PENDING))) {
                    return StopOutcome.FINISHED;
                }
                d.status = SimServiceDeployment.ROLLBACK_REQUESTED;
                d.statusReason = STOP_REASON;
                d.updatedAt = lastStep;
                primary.stopRequested = true;
                return StopOutcome.STOPPING;
            }
        }
        return StopOutcome.NOT_FOUND;
    }

    /** Whether a service's deployment or a task not yet stopped runs the revision (ECS deletes no revision while one does). */
    synchronized boolean uses(String taskDefinition) {
        return services.values().stream().anyMatch(s -> s.deployments.stream().anyMatch(d -> d.taskDefinition.equals(taskDefinition))
                || s.tasks.stream().anyMatch(t -> !t.stopped() && t.deployment.taskDefinition.equals(taskDefinition)));
    }

    synchronized List<DeploymentStart> starts() {
        return List.copyOf(starts);
    }

    /** When the next change happens (epoch millis of simulated time), if anything is still changing. */
    synchronized java.util.OptionalLong nextChangeAt() {
        double next = nextStep();
        return Double.isInfinite(next) ? java.util.OptionalLong.empty()
                : java.util.OptionalLong.of((long) Math.ceil(next * 1000));
    }

    /** Brings every service up to the current simulated time, sending the events of each change. */
    synchronized void advance() {
        double now = now();
        while (true) {
            double next = nextStep();
            if (next > now) {
                break;
            }
            lastStep = next;
            for (SimService service : services.values()) {
                step(service, lastStep);
            }
        }
        lastStep = Math.max(lastStep, grid(now));
    }

    /** One ALB target: a task's IP, the container port the service registers, and its health. */
    record Target(String ip, int port, String state, String reason) {
    }

    private double now() {
        return clock.millis() / 1000.0;
    }

    /** The first step after {@link #lastStep} at which some service changes by itself. */
    private double nextStep() {
        double next = Double.POSITIVE_INFINITY;
        for (SimService service : services.values()) {
            for (SimTask task : service.tasks) {
                next = Math.min(next, task.nextChangeAfter(lastStep));
            }
            for (SimServiceDeployment record : service.serviceDeployments) {
                if (record.rollbackHook != null && !record.rollbackHook.inFlight) {
                    next = Math.min(next, Math.max(record.rollbackHook.dueAt, lastStep + STEP));
                }
            }
            SimDeployment primary = service.primary();
            if (shifting(service, primary) && !primary.stopRequested) {
                next = Math.min(next, nextShiftChange(service, primary));
            }
            if (SimServiceDeployment.PENDING.equals(primary.serviceDeployment.status)) {
                next = Math.min(next, lastStep + STEP);
            }
            if (SimDeployment.IN_PROGRESS.equals(primary.rolloutState) && primary.stopRequested) {
                next = Math.min(next, lastStep + STEP);
            } else if (SimDeployment.IN_PROGRESS.equals(primary.rolloutState)
                    && startable(service, primary, lastStep, false) > 0) {
                next = Math.min(next, Math.max(primary.nextLaunchAt, lastStep + STEP));
            }
        }
        return Double.isInfinite(next) ? next : Math.max(lastStep + STEP, ceilGrid(next));
    }

    /** Takes the desired count and circuit breaker settings from a service or UpdateService request, where it has them. */
    private void configure(SimService service, JsonNode motoService) {
        service.desired = motoService.path("desiredCount").asInt(service.desired);
        JsonNode configuration = motoService.path("deploymentConfiguration");
        service.maximumPercent = configuration.path("maximumPercent").asInt(service.maximumPercent);
        service.minimumHealthyPercent = configuration.path("minimumHealthyPercent").asInt(service.minimumHealthyPercent);
        JsonNode breaker = configuration.path("deploymentCircuitBreaker");
        if (breaker.isObject()) {
            service.circuitBreaker = breaker.path("enable").asBoolean(false);
            service.circuitBreakerRollback = breaker.path("rollback").asBoolean(false);
        }
    }

    private void step(SimService service, double t) {
        SimServiceDeployment current = service.primary().serviceDeployment;
        if (current.status.equals(SimServiceDeployment.PENDING) && t > current.createdAt) {
            current.status = SimServiceDeployment.IN_PROGRESS;
            current.updatedAt = t;
        }
        for (SimTask task : service.tasks) {
            if (task.advance(t, service.loadBalanced(), task.targetGroup)) {
                SimDeployment d = task.deployment;
                d.failedTasks++;
                d.updatedAt = t;
                if (d.kind != Kind.ECS_ROLLBACK) {
                    d.serviceDeployment.failureCount++;
                }
                d.nextLaunchAt = t + RELAUNCH_UNITS * pace;
                service.event(t, "has stopped 1 running tasks: (task " + task.id + ").");
            }
        }
        progress(service, t);
        finishShiftRollbacks(service, t);
        for (SimTask task : service.tasks) {
            if (!task.status().equals(task.reported)) {
                task.reported = task.status();
                task.version++;
                events.accept(EcsEvents.taskStateChange(service, render(service, task), task.version, t));
            }
        }
    }

    private void progress(SimService service, double t) {
        SimDeployment primary = service.primary();
        if (!SimDeployment.IN_PROGRESS.equals(primary.rolloutState)) {
            return;
        }
        if (primary.stopRequested) {
            primary.stopRequested = false;
            if (shifting(service, primary)) {
                shiftRollBack(service, primary, t, STOP_REASON);
            } else {
                rollBack(service, primary, t, STOP_REASON, "ECS service deployment stopped: rolling back to deploymentId %s.");
            }
            return;
        }
        if (service.circuitBreaker && primary.failedTasks >= threshold(service.desired)) {
            if (shifting(service, primary)) {
                primary.serviceDeployment.breakerTriggered = true;
                shiftRollBack(service, primary, t, "Circuit breaker triggered: rolling back to the last completed deployment.");
            } else {
                trip(service, primary, t);
            }
            return;
        }
        if (primary.failedTasks >= 2 && !primary.startImpairedReported) {
            primary.startImpairedReported = true;
            events.accept(EcsEvents.serviceAction(service, EcsEvents.TASK_START_IMPAIRED, t));
        }
        List<SimTask> mine = service.tasksOf(primary);
        long live = mine.stream().filter(SimTask::live).count();
        if (live < service.desired && t >= primary.nextLaunchAt) {
            long starting = startable(service, primary, t, true);
            for (long i = 0; i < starting; i++) {
                launch(service, primary, t, pace);
            }
            if (starting > 0) {
                service.event(t, "has started " + starting + " tasks.");
                primary.updatedAt = t;
            }
        }
        long ready = mine.stream().filter(x -> x.ready(service.loadBalanced())).count();
        if (shifting(service, primary)) {
            progressShift(service, primary, ready, t);
            return;
        }
        if (ready < service.desired) {
            return;
        }
        boolean othersGone = true;
        for (SimTask task : service.tasks) {
            if (task.deployment != primary && !task.stopped()) {
                task.drain(t, primary.id, pace);
                othersGone = false;
            }
        }
        if (othersGone) {
            complete(service, primary, t, true);
        }
    }

    /**
     * How many tasks the PRIMARY deployment may start now, short of the desired count. A traffic-shifting deployment
     * scales its new revision up in full. A rolling one (an update or ECS's rollback) keeps within the service's limits:
     * the tasks ECS wants RUNNING (desiredStatus RUNNING: provisioning, pending or running, of every deployment) stay at
     * most floor(maximumPercent × desired / 100); to make room, older deployments' tasks are stopped, first those not
     * healthy, then healthy ones only while the healthy running tasks stay at least ceil(minimumHealthyPercent × desired
     * / 100). When the limits allow neither, nothing starts and the deployment waits (IN_PROGRESS until a task changes).
     * At ECS's defaults (200 and 100) the whole new set starts at once and the old one is stopped once it is all healthy
     * (below); only a deployment started while an older one is still starting stops that one's tasks that are not
     * healthy yet, to stay within twice the desired count.
     *
     * @param stop whether to stop the older tasks that make room (false: only count)
     */
    private long startable(SimService service, SimDeployment primary, double t, boolean stop) {
        long wanted = service.desired - service.tasksOf(primary).stream().filter(SimTask::live).count();
        if (wanted <= 0 || shifting(service, primary)) {
            return Math.max(0, wanted);
        }
        long room = Math.max(0, maximumTasks(service) - service.tasks.stream().filter(SimTask::live).count());
        if (room >= wanted) {
            return wanted;
        }
        boolean loadBalanced = service.loadBalanced();
        long spareHealthy = service.tasks.stream().filter(x -> x.ready(loadBalanced)).count() - minimumHealthyTasks(service);
        List<SimTask> older = new ArrayList<>(service.tasks.stream().filter(x -> x.deployment != primary && x.live()).toList());
        older.sort(java.util.Comparator.comparing((SimTask x) -> x.ready(loadBalanced)));
        List<String> stopped = new ArrayList<>();
        for (SimTask task : older) {
            if (room >= wanted) {
                break;
            }
            if (task.ready(loadBalanced)) {
                if (spareHealthy <= 0) {
                    break;
                }
                spareHealthy--;
            }
            room++;
            if (stop) {
                task.drain(t, primary.id, pace);
                stopped.add("(task " + task.id + ")");
            }
        }
        if (!stopped.isEmpty()) {
            service.event(t, "has stopped " + stopped.size() + " running tasks: " + String.join(" ", stopped) + ".");
        }
        return Math.min(wanted, room);
    }

    /** maximumPercent of the desired count, rounded down: the most tasks a rolling deployment keeps RUNNING or PENDING. */
    static int maximumTasks(SimService service) {
        return (int) Math.floor(service.maximumPercent * (double) service.desired / 100);
    }

    /** minimumHealthyPercent of the desired count, rounded up: the fewest healthy RUNNING tasks a rolling deployment keeps. */
    static int minimumHealthyTasks(SimService service) {
        return (int) Math.ceil(service.minimumHealthyPercent * (double) service.desired / 100);
    }

    /** Circuit breaker: the deployment fails; with rollback on, ECS goes back to the last completed revision. */
    private void trip(SimService service, SimDeployment failed, double t) {
        failed.rolloutState = SimDeployment.FAILED;
        failed.rolloutStateReason = "ECS deployment circuit breaker: tasks failed to start.";
        failed.updatedAt = t;
        SimServiceDeployment record = failed.serviceDeployment;
        record.breakerTriggered = true;
        service.event(t, "(deployment " + failed.id + ") deployment failed: tasks failed to start.");
        events.accept(EcsEvents.deploymentStateChange(service, failed, EcsEvents.FAILED,
                "ECS deployment circuit breaker: task failed to start.", t));
        SimDeployment target = service.lastCompleted;
        boolean canRollBack = service.circuitBreakerRollback && target != null && failed.kind != Kind.ECS_ROLLBACK
                && !target.taskDefinition.equals(failed.taskDefinition);
        if (!canRollBack) {
            service.tasksOf(failed).forEach(x -> x.drain(t, failed.id, pace));
            if (!record.finished()) {
                record.finish(t, failed.kind == Kind.ECS_ROLLBACK ? SimServiceDeployment.ROLLBACK_FAILED
                        : SimServiceDeployment.STOPPED, failed.rolloutStateReason);
            }
            return;
        }
        rollBack(service, failed, t, "Circuit breaker triggered: rolling back to the last completed deployment.",
                "ECS deployment circuit breaker: rolling back to deploymentId %s.");
    }

    /**
     * ECS rolls the service back from {@code from} to its last completed deployment's revision.
     *
     * @param reason     the service deployment's rollback reason
     * @param rollout    the rollback deployment's rolloutStateReason, {@code %s} the target deployment id
     */
    private void rollBack(SimService service, SimDeployment from, double t, String reason, String rollout) {
        SimDeployment target = service.lastCompleted;
        SimServiceDeployment record = from.serviceDeployment;
        SimDeployment rollback = newDeployment(service, target.taskDefinition, Kind.ECS_ROLLBACK, t, record);
        rollback.rolloutStateReason = rollout.formatted(target.id);
        service.deployments.add(0, rollback);
        service.tasksOf(from).forEach(x -> x.drain(t, rollback.id, pace));
        service.event(t, "(deployment " + from.id + ") rolling back to deployment " + target.id + ".");
        record.status = SimServiceDeployment.ROLLBACK_IN_PROGRESS;
        record.statusReason = reason;
        record.updatedAt = t;
        record.rollbackReason = reason;
        record.rollbackStartedAt = t;
        record.rollbackRevision = revision(service, target.taskDefinition);
        events.accept(EcsEvents.deploymentStateChange(service, rollback, EcsEvents.IN_PROGRESS, rollback.rolloutStateReason, t));
    }

    private void complete(SimService service, SimDeployment primary, double t, boolean announce) {
        primary.rolloutState = SimDeployment.COMPLETED;
        primary.rolloutStateReason = "ECS deployment " + primary.id + " completed.";
        primary.updatedAt = t;
        service.completedRevisions.add(primary.taskDefinition);
        service.lastCompleted = primary;
        service.deployments.removeIf(d -> d != primary);
        service.event(t, "(deployment " + primary.id + ") deployment completed.");
        service.event(t, "has reached a steady state.");
        SimServiceDeployment record = primary.serviceDeployment;
        if (!record.finished()) {
            record.finish(t, primary.kind == Kind.ECS_ROLLBACK ? SimServiceDeployment.ROLLBACK_SUCCESSFUL
                    : SimServiceDeployment.SUCCESSFUL, null);
        }
        if (announce) {
            events.accept(EcsEvents.deploymentStateChange(service, primary, EcsEvents.COMPLETED, primary.rolloutStateReason, t));
            events.accept(EcsEvents.serviceAction(service, EcsEvents.STEADY_STATE, t));
        }
    }

    // ---------------------------------------------------------------- traffic-shifting strategies

    /** The stages of ECS's traffic-shifting deployments after the scale-up, in order. */
    private static final List<String> SHIFT_STAGES = List.of("POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT",
            "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP");
    /** The stages whose hooks ECS runs again when it rolls a shifting deployment back, in order. */
    private static final List<String> ROLLBACK_HOOK_STAGES = List.of("PRODUCTION_TRAFFIC_SHIFT", "TEST_TRAFFIC_SHIFT");
    /** Seconds ECS waits before asking a hook again that answered IN_PROGRESS without a callBackDelay. */
    static final int DEFAULT_CALLBACK_DELAY = 30;

    private static boolean shifting(SimService service, SimDeployment d) {
        return service.shiftsTraffic() && d.kind == Kind.UPDATE && SimDeployment.IN_PROGRESS.equals(d.rolloutState) && d.stage != null;
    }

    /** When a shifting deployment changes by itself next (tasks aside): its hook falls due, a bake ends, an alarm fires. */
    private double nextShiftChange(SimService service, SimDeployment d) {
        if (d.hook != null) {
            return d.hook.inFlight ? Double.POSITIVE_INFINITY : Math.max(d.hook.dueAt, lastStep + STEP);
        }
        double next = switch (d.stage) {
            case "SCALE_UP" -> Double.POSITIVE_INFINITY;
            case "CLEAN_UP" -> oldTasksGone(service, d) ? lastStep + STEP : Double.POSITIVE_INFINITY;
            case "PRODUCTION_TRAFFIC_SHIFT" -> d.productionWeight >= 100 ? lastStep + STEP
                    : d.stageSince + service.shift.shareBakeSeconds();
            case "BAKE_TIME" -> d.stageSince + 60.0 * service.shift.bakeMinutes();
            default -> lastStep + STEP;
        };
        for (String alarm : service.shift.alarms()) {
            Double on = alarmsOn.get(alarm);
            if (on != null && on > lastStep) {
                next = Math.min(next, on);
            }
        }
        return Math.max(next, lastStep + STEP);
    }

    /**
     * One step of a BLUE_GREEN, CANARY or LINEAR deployment: the new revision scales up in the other
     * target group, then goes through the lifecycle stages (each waiting for the hook where one is
     * configured), gets the test traffic, then production traffic share by share (each watched for
     * the strategy's bake), bakes, and the old revision is cleaned up. A deployment alarm in ALARM
     * rolls it back at any stage.
     */
    private void progressShift(SimService service, SimDeployment d, long ready, double t) {
        if (d.hook != null) {
            return;
        }
        for (String alarm : service.shift.alarms()) {
            Double on = alarmsOn.get(alarm);
            if (on != null && on <= t) {
                d.serviceDeployment.triggeredAlarms.add(alarm);
                shiftRollBack(service, d, t, "Alarm " + alarm + " is in ALARM state: rolling back to the last completed deployment.");
                return;
            }
        }
        switch (d.stage) {
            case "SCALE_UP" -> {
                if (ready >= service.desired) {
                    enter(service, d, "POST_SCALE_UP", t);
                }
            }
            case "POST_SCALE_UP" -> {
                d.testWeight = 100;
                enter(service, d, "TEST_TRAFFIC_SHIFT", t);
            }
            case "TEST_TRAFFIC_SHIFT" -> enter(service, d, "POST_TEST_TRAFFIC_SHIFT", t);
            case "POST_TEST_TRAFFIC_SHIFT" -> {
                d.share = 0;
                d.productionWeight = service.shift.shares().get(0);
                enter(service, d, "PRODUCTION_TRAFFIC_SHIFT", t);
            }
            case "PRODUCTION_TRAFFIC_SHIFT" -> {
                if (d.productionWeight >= 100) {
                    enter(service, d, "POST_PRODUCTION_TRAFFIC_SHIFT", t);
                } else if (t >= d.stageSince + service.shift.shareBakeSeconds()) {
                    d.share++;
                    d.productionWeight = service.shift.shares().get(d.share);
                    enter(service, d, "PRODUCTION_TRAFFIC_SHIFT", t);
                }
            }
            case "POST_PRODUCTION_TRAFFIC_SHIFT" -> {
                enter(service, d, "BAKE_TIME", t);
                if (d.alarmInBake && !service.shift.alarms().isEmpty()) {
                    alarmsOn.putIfAbsent(service.shift.alarms().get(0), t + Math.min(30, 30.0 * service.shift.bakeMinutes()));
                }
            }
            case "BAKE_TIME" -> {
                if (t >= d.stageSince + 60.0 * service.shift.bakeMinutes()) {
                    enter(service, d, "CLEAN_UP", t);
                    d.testWeight = 0;
                    for (SimTask task : service.tasks) {
                        if (task.deployment != d) {
                            task.drain(t, d.id, pace);
                        }
                    }
                }
            }
            case "CLEAN_UP" -> {
                if (oldTasksGone(service, d)) {
                    service.liveGroup = d.targetGroup;
                    complete(service, d, t, true);
                }
            }
            default -> throw new IllegalStateException("unknown stage " + d.stage);
        }
    }

    /** Whether every task of the revisions a shifting deployment replaces has stopped (or there never was one). */
    private static boolean oldTasksGone(SimService service, SimDeployment d) {
        return service.tasks.stream().allMatch(x -> x.deployment == d || x.stopped());
    }

    /** A deployment enters a lifecycle stage: ECS reports it, and invokes the hook when one is configured for it. */
    private void enter(SimService service, SimDeployment d, String stage, double t) {
        d.stage = stage;
        d.stageSince = t;
        d.updatedAt = t;
        SimServiceDeployment record = d.serviceDeployment;
        record.lifecycleStage = stage;
        record.productionWeight = d.productionWeight;
        record.testWeight = d.testWeight;
        record.updatedAt = t;
        service.event(t, "(deployment " + d.id + ") " + stage + ": production traffic " + d.productionWeight + " %, test traffic "
                + d.testWeight + " %.");
        TrafficShift shift = service.shift;
        if (shift.hookFunction() != null && shift.hookStages().contains(stage)) {
            d.hook = new HookCall(service, d, shift.hookFunction(), stage, hookPayload(service, d, shift.hookFunction(), stage), t);
        }
    }

    /**
     * ECS's Lambda payload for an invocation of {@code function}, with the hookDetails kept for it in the deployment. As
     * in ECS's documented payloads, the weights are those of the shift under way: test weights at TEST_TRAFFIC_SHIFT,
     * production weights at PRODUCTION_TRAFFIC_SHIFT, empty maps elsewhere.
     */
    private String hookPayload(SimService service, SimDeployment d, String function, String stage) {
        SimServiceDeployment record = d.serviceDeployment;
        String blue = revision(service, service.lastCompleted.taskDefinition);
        ObjectNode payload = Json.object();
        ObjectNode details = payload.putObject("executionDetails");
        ObjectNode test = details.putObject("testTrafficWeights");
        ObjectNode production = details.putObject("productionTrafficWeights");
        if (stage.equals("TEST_TRAFFIC_SHIFT")) {
            test.put(record.targetRevision, d.testWeight).put(blue, 100 - d.testWeight);
        }
        if (stage.equals("PRODUCTION_TRAFFIC_SHIFT")) {
            production.put(record.targetRevision, d.productionWeight).put(blue, 100 - d.productionWeight);
        }
        details.put("serviceArn", service.serviceArn);
        details.put("targetServiceRevisionArn", record.targetRevision);
        payload.put("executionId", java.util.UUID.randomUUID().toString());
        payload.put("lifecycleStage", stage);
        payload.put("resourceArn", record.arn);
        ObjectNode hookDetails = record.hookDetails.get(function);
        if (hookDetails != null && !hookDetails.isEmpty()) {
            payload.set("hookDetails", hookDetails);
        }
        return payload.toString();
    }

    /**
     * ECS merges the hookDetails a hook returned with IN_PROGRESS and passes them on each later invocation of that hook
     * in the same deployment (every LINEAR/CANARY step and the way back included).
     */
    private static void keepHookDetails(HookCall call, JsonNode answer) {
        JsonNode returned = answer.path("hookDetails");
        if (returned.isObject()) {
            call.deployment.serviceDeployment.hookDetails.computeIfAbsent(call.function, f -> Json.object())
                    .setAll((ObjectNode) returned);
        }
    }

    /** The hook invocations due now, marked in flight: the simulator invokes them outside the fleet's lock. */
    synchronized List<HookCall> dueHooks() {
        advance();
        List<HookCall> due = new ArrayList<>();
        for (SimService service : services.values()) {
            List<HookCall> calls = new ArrayList<>();
            calls.add(service.primary().hook);
            service.serviceDeployments.forEach(record -> calls.add(record.rollbackHook));
            for (HookCall call : calls) {
                if (call != null && !call.inFlight && call.dueAt <= lastStep + 1e-9) {
                    call.inFlight = true;
                    due.add(call);
                }
            }
        }
        return due;
    }

    /**
     * The hook's answer, as ECS reads it: SUCCEEDED lets the deployment go on, IN_PROGRESS asks again
     * after {@code callBackDelay} seconds (30 by default) with the returned {@code hookDetails}, and
     * anything else (FAILED, no valid hookStatus, a function error) rolls it back.
     *
     * @param answer the function's response; null when it failed ({@code error} says how)
     */
    synchronized void hookAnswered(HookCall call, JsonNode answer, String error) {
        advance();
        SimDeployment d = call.deployment;
        if (d.serviceDeployment.rollbackHook == call) {
            rollbackHookAnswered(call, answer, error);
            return;
        }
        if (d.hook != call) {
            return;
        }
        d.hook = null;
        String status = answer == null ? null : answer.path("hookStatus").asText(null);
        double t = lastStep;
        if ("SUCCEEDED".equals(status)) {
            call.service.event(t, "(deployment " + d.id + ") lifecycle hook " + call.function + " succeeded at " + call.stage + ".");
        } else if ("IN_PROGRESS".equals(status)) {
            int delay = answer.path("callBackDelay").isNumber() ? answer.get("callBackDelay").asInt() : DEFAULT_CALLBACK_DELAY;
            keepHookDetails(call, answer);
            d.hook = new HookCall(call.service, d, call.function, call.stage,
                    hookPayload(call.service, d, call.function, call.stage), t + Math.max(1, delay));
        } else {
            String why = error != null ? "the function failed: " + error
                    : status == null ? "it returned no valid hookStatus" : "it answered " + status;
            shiftRollBack(call.service, d, t, "Lifecycle hook " + call.function + " failed at " + call.stage + " (" + why
                    + "): rolling back to the last completed deployment.");
        }
    }

    /**
     * ECS rolls a shifting deployment back: all traffic returns to the old revision at once (it still
     * runs), the new revision's tasks drain, and the service deployment is ROLLBACK_SUCCESSFUL when
     * they are gone.
     */
    private void shiftRollBack(SimService service, SimDeployment d, double t, String reason) {
        SimServiceDeployment record = d.serviceDeployment;
        d.hook = null;
        d.productionWeight = 0;
        d.testWeight = 0;
        d.rolloutState = SimDeployment.FAILED;
        d.rolloutStateReason = reason;
        d.updatedAt = t;
        record.status = SimServiceDeployment.ROLLBACK_IN_PROGRESS;
        record.statusReason = reason;
        record.rollbackReason = reason;
        record.rollbackStartedAt = t;
        record.rollbackRevision = revision(service, service.lastCompleted.taskDefinition);
        record.productionWeight = 0.0;
        record.testWeight = 0.0;
        record.updatedAt = t;
        record.rolledBackFrom = d;
        service.tasksOf(d).forEach(x -> x.drain(t, service.lastCompleted.id, pace));
        service.deployments.remove(d);
        service.event(t, "(deployment " + d.id + ") " + reason);
        events.accept(EcsEvents.deploymentStateChange(service, d, EcsEvents.FAILED, reason, t));
        TrafficShift shift = service.shift;
        if (shift.hookFunction() != null) {
            ROLLBACK_HOOK_STAGES.stream().filter(shift.hookStages()::contains).forEach(record.rollbackHookStages::add);
            nextRollbackHook(service, d, t);
        }
    }

    /** On the way back ECS invokes the hook of each traffic-shift stage once more, one after the other. */
    private void nextRollbackHook(SimService service, SimDeployment d, double t) {
        String stage = d.serviceDeployment.rollbackHookStages.poll();
        d.serviceDeployment.rollbackHook = stage == null ? null
                : new HookCall(service, d, service.shift.hookFunction(), stage,
                        hookPayload(service, d, service.shift.hookFunction(), stage), t);
    }

    /**
     * A hook's answer on the way back: IN_PROGRESS asks again after {@code callBackDelay} seconds;
     * any other answer lets the rollback go on (the simulator does not model a rollback held up by
     * its hook). The rollback finishes once its hooks answered and the new revision's tasks are gone.
     */
    private void rollbackHookAnswered(HookCall call, JsonNode answer, String error) {
        SimDeployment d = call.deployment;
        SimServiceDeployment record = d.serviceDeployment;
        record.rollbackHook = null;
        String status = answer == null ? null : answer.path("hookStatus").asText(null);
        double t = lastStep;
        if ("IN_PROGRESS".equals(status)) {
            int delay = answer.path("callBackDelay").isNumber() ? answer.get("callBackDelay").asInt() : DEFAULT_CALLBACK_DELAY;
            keepHookDetails(call, answer);
            record.rollbackHook = new HookCall(call.service, d, call.function, call.stage,
                    hookPayload(call.service, d, call.function, call.stage), t + Math.max(1, delay));
            return;
        }
        call.service.event(t, "(deployment " + d.id + ") lifecycle hook " + call.function + " at " + call.stage
                + " on the way back: " + (error != null ? "the function failed: " + error : status == null ? "no valid hookStatus" : status) + ".");
        nextRollbackHook(call.service, d, t);
        finishShiftRollbacks(call.service, t);
    }

    /** A shifting rollback is over once its hooks answered and the new revision's tasks are gone. */
    private void finishShiftRollbacks(SimService service, double t) {
        for (SimServiceDeployment record : service.serviceDeployments) {
            if (record.rolledBackFrom != null && !record.finished() && record.rollbackHook == null
                    && service.tasksOf(record.rolledBackFrom).stream().allMatch(SimTask::stopped)) {
                record.finish(t, SimServiceDeployment.ROLLBACK_SUCCESSFUL, record.rollbackReason);
            }
        }
    }

    /** DescribeServiceRevisions for one ARN: the revision's service and task definition; empty when unknown. */
    synchronized Optional<ObjectNode> describeServiceRevision(String arn) {
        for (SimService service : services.values()) {
            for (Map.Entry<String, String> revision : service.revisions.entrySet()) {
                if (revision.getValue().equals(arn)) {
                    ObjectNode node = Json.object().put("serviceRevisionArn", arn).put("serviceArn", service.serviceArn)
                            .put("clusterArn", service.clusterArn).put("taskDefinition", revision.getKey())
                            .put("launchType", "FARGATE").put("platformVersion", "1.4.0");
                    return Optional.of(node);
                }
            }
        }
        return Optional.empty();
    }

    /** The scenario given to an image of the revision ({@link #imageScenario(String, Scenario)}); else {@code otherwise}. */
    private Scenario toldScenario(String taskDefinition, Scenario otherwise) {
        Scenario behaviour = otherwise;
        for (TaskDefinition.Container c : taskDefinitions.apply(taskDefinition).containers()) {
            String image = c.image();
            if (image != null && image.contains("@")) {
                behaviour = imageScenarios.getOrDefault(image.substring(image.indexOf('@') + 1), behaviour);
            }
        }
        return behaviour;
    }

    /**
     * Whether the revision completed on the service before, or one with the same containers did (a definition registered
     * again runs as the original ran: what a task does depends on its image, environment and secrets, not on the number).
     */
    private boolean completedBefore(SimService service, String taskDefinition) {
        if (service.completedRevisions.contains(taskDefinition)) {
            return true;
        }
        List<TaskDefinition.Container> containers = taskDefinitions.apply(taskDefinition).containers();
        return service.completedRevisions.stream().anyMatch(r -> taskDefinitions.apply(r).containers().equals(containers));
    }

    /**
     * A new deployment of the revision: it behaves as the run's scenario says, or as its image was told; a revision
     * that completed before (or a copy of one) is healthy, except on the way back from an image told ROLLBACK_FAILS.
     */
    private SimDeployment newDeployment(SimService service, String taskDefinition, Kind kind, double t,
                                        SimServiceDeployment record) {
        SimDeployment leaving = service.deployments.isEmpty() ? null : service.primary();
        boolean wayBackFails = scenario == Scenario.ROLLBACK_FAILS || leaving != null
                && !leaving.taskDefinition.equals(taskDefinition) && toldScenario(leaving.taskDefinition, null) == Scenario.ROLLBACK_FAILS;
        Scenario behaviour = wayBackFails ? Scenario.ROLLBACK_FAILS : scenario;
        boolean completed = completedBefore(service, taskDefinition);
        if (!wayBackFails && !completed) {
            behaviour = toldScenario(taskDefinition, behaviour);
        }
        boolean knownGood = completed && !wayBackFails;
        String startFailure = startFailure(taskDefinitions.apply(taskDefinition));
        Fate fate = startFailure != null ? Fate.PULL_FAILS : knownGood ? Fate.HEALTHY : behaviour.fate();
        boolean smokeFails = !knownGood && behaviour.smokeFails();
        SimDeployment deployment = new SimDeployment(newDeploymentId(), taskDefinition, kind, fate, smokeFails, t, record);
        deployment.startFailure = startFailure;
        deployment.alarmInBake = !knownGood && behaviour == Scenario.ALARM_IN_BAKE;
        deployment.targetGroup = kind == Kind.UPDATE ? service.groupForNewRevision() : service.liveGroup;
        if (kind == Kind.UPDATE && service.shiftsTraffic()) {
            record.strategy = service.shift.strategy();
            record.alarms = service.shift.alarms();
            deployment.stage = "SCALE_UP";
            deployment.stageSince = t;
            record.lifecycleStage = "SCALE_UP";
            record.productionWeight = 0.0;
            record.testWeight = 0.0;
        }
        return deployment;
    }

    private SimServiceDeployment newServiceDeployment(SimService service, String taskDefinition, List<String> sources,
                                                      double t) {
        SimServiceDeployment record = new SimServiceDeployment(
                service.arnPrefix() + ":service-deployment/" + service.cluster + "/" + service.name + "/" + randomId(21),
                revision(service, taskDefinition), taskDefinition, sources, t, threshold(service.desired),
                service.circuitBreaker, service.circuitBreakerRollback);
        service.serviceDeployments.add(record);
        return record;
    }

    /** The service revision of a task definition (one per task definition: the simulator changes nothing else). */
    private static String revision(SimService service, String taskDefinition) {
        return service.revisions.computeIfAbsent(taskDefinition, td -> service.arnPrefix() + ":service-revision/"
                + service.cluster + "/" + service.name + "/" + (1 + ThreadLocalRandom.current().nextLong(999_999_999_999_999_999L)));
    }

    private SimTask launch(SimService service, SimDeployment deployment, double t, double taskPace) {
        byte[] random = new byte[16];
        ThreadLocalRandom.current().nextBytes(random);
        String arn = service.arnPrefix() + ":task/" + service.cluster + "/" + HexFormat.of().formatHex(random);
        int n = addresses++;
        String ip = "10.0." + (1 + n / 240 % 250) + "." + (10 + n % 240);
        SimTask task = new SimTask(arn, deployment, deployment.fate, t, taskPace, ip);
        task.targetGroup = deployment.targetGroup != null ? deployment.targetGroup : service.firstGroup();
        service.tasks.add(task);
        return task;
    }

    /** What ListServiceDeployments and DescribeServiceDeployments both tell of a service deployment. */
    private static ObjectNode identity(SimService service, SimServiceDeployment d) {
        ObjectNode node = Json.object();
        node.put("serviceDeploymentArn", d.arn);
        node.put("serviceArn", service.serviceArn);
        node.put("clusterArn", service.clusterArn);
        node.put("createdAt", d.createdAt);
        node.put("startedAt", d.createdAt);
        if (d.finishedAt != null) {
            node.put("finishedAt", d.finishedAt);
        }
        node.put("status", d.status);
        if (d.statusReason != null) {
            node.put("statusReason", d.statusReason);
        }
        return node;
    }

    private ObjectNode render(SimService service, SimServiceDeployment d) {
        ObjectNode node = identity(service, d);
        if (d.stoppedAt != null) {
            node.put("stoppedAt", d.stoppedAt);
        }
        node.put("updatedAt", d.updatedAt);
        ArrayNode sources = node.putArray("sourceServiceRevisions");
        for (String source : d.sourceRevisions) {
            sources.add(revisionSummary(service, source, null));
        }
        ObjectNode target = revisionSummary(service, d.targetRevision, d);
        if (d.productionWeight != null) {
            target.put("requestedProductionTrafficWeight", d.productionWeight);
            target.put("requestedTestTrafficWeight", d.testWeight);
        }
        node.set("targetServiceRevision", target);
        if (d.lifecycleStage != null) {
            node.put("lifecycleStage", d.lifecycleStage);
        }
        node.put("status", d.status);
        if (d.statusReason != null) {
            node.put("statusReason", d.statusReason);
        }
        ObjectNode configuration = node.putObject("deploymentConfiguration");
        configuration.putObject("deploymentCircuitBreaker").put("enable", d.circuitBreaker).put("rollback", d.rollbackEnabled);
        configuration.put("maximumPercent", service.maximumPercent).put("minimumHealthyPercent", service.minimumHealthyPercent);
        configuration.put("strategy", d.strategy);
        ObjectNode alarmConfiguration = configuration.putObject("alarms").put("rollback", !d.alarms.isEmpty()).put("enable", !d.alarms.isEmpty());
        d.alarms.forEach(alarmConfiguration.putArray("alarmNames")::add);
        if (d.rollbackStartedAt != null) {
            node.putObject("rollback").put("reason", d.rollbackReason).put("startedAt", d.rollbackStartedAt)
                    .put("serviceRevisionArn", d.rollbackRevision);
        }
        node.putObject("deploymentCircuitBreaker")
                .put("status", !d.circuitBreaker ? "DISABLED" : d.breakerTriggered ? "TRIGGERED"
                        : d.finished() ? "MONITORING_COMPLETE" : "MONITORING")
                .put("failureCount", d.failureCount)
                .put("threshold", d.threshold);
        ObjectNode alarms = node.putObject("alarms").put("status", d.alarms.isEmpty() ? "DISABLED"
                : !d.triggeredAlarms.isEmpty() ? "TRIGGERED" : d.finished() ? "MONITORING_COMPLETE" : "MONITORING");
        if (!d.alarms.isEmpty()) {
            d.alarms.forEach(alarms.putArray("alarmNames")::add);
            d.triggeredAlarms.forEach(alarms.putArray("triggeredAlarmNames")::add);
        }
        return node;
    }

    /** A service revision's task counts; for the target of {@code d}, those of its own deployment. */
    private ObjectNode revisionSummary(SimService service, String revision, SimServiceDeployment d) {
        List<SimTask> tasks = service.tasks.stream()
                .filter(t -> revision.equals(service.revisions.get(t.deployment.taskDefinition)))
                .filter(t -> d == null || t.deployment.serviceDeployment == d)
                .toList();
        boolean targetOfPrimary = d != null && service.primary().serviceDeployment == d
                && service.primary().kind != Kind.ECS_ROLLBACK;
        return Json.object().put("arn", revision)
                .put("requestedTaskCount", targetOfPrimary ? service.desired : (int) tasks.stream().filter(SimTask::live).count())
                .put("runningTaskCount", count(tasks, SimTask.RUNNING))
                .put("pendingTaskCount", count(tasks, SimTask.PROVISIONING) + count(tasks, SimTask.PENDING));
    }

    private ObjectNode render(SimService service, SimTask task) {
        TaskDefinition definition = taskDefinitions.apply(task.deployment.taskDefinition);
        ObjectNode node = Json.object();
        node.put("taskArn", task.arn);
        node.put("clusterArn", service.clusterArn);
        node.put("taskDefinitionArn", task.deployment.taskDefinition);
        node.put("group", "service:" + service.name);
        node.put("startedBy", task.deployment.id);
        node.put("lastStatus", task.lastStatus);
        node.put("desiredStatus", task.desiredStatus);
        node.put("launchType", "FARGATE");
        node.put("platformVersion", service.platformVersion);
        node.put("availabilityZone", "us-east-1a");
        node.put("connectivity", "CONNECTED");
        node.put("healthStatus", "UNKNOWN");
        node.put("cpu", definition.cpu());
        node.put("memory", definition.memory());
        node.put("createdAt", task.createdAt);
        if (task.startedAt != null) {
            node.put("startedAt", task.startedAt);
        }
        if (task.stoppingAt != null) {
            node.put("stoppingAt", task.stoppingAt);
        }
        if (task.stoppedAt != null) {
            node.put("stoppedAt", task.stoppedAt);
            node.put("stopCode", task.stopCode);
            node.put("stoppedReason", task.stoppedReason);
        }
        ArrayNode containers = node.putArray("containers");
        for (TaskDefinition.Container c : definition.containers()) {
            ObjectNode container = containers.addObject();
            container.put("containerArn", service.clusterArn.replace(":cluster/", ":container/") + "/" + task.id + "/" + c.name());
            container.put("taskArn", task.arn);
            container.put("name", c.name());
            container.put("image", c.image());
            container.put("lastStatus", containerStatus(task));
            if (task.stopped() && task.exitCode != null) {
                container.put("exitCode", c.essential() ? task.exitCode : 0);
            }
            container.put("healthStatus", "UNKNOWN");
            container.putArray("networkInterfaces").addObject()
                    .put("attachmentId", task.eniId).put("privateIpv4Address", task.ip);
        }
        ObjectNode eni = node.putArray("attachments").addObject();
        eni.put("id", task.eniId);
        eni.put("type", "ElasticNetworkInterface");
        eni.put("status", task.stopped() ? "DELETED" : "ATTACHED");
        ArrayNode details = eni.putArray("details");
        String subnet = service.networkConfiguration.path("awsvpcConfiguration").path("subnets").path(0).asText("subnet-local");
        details.addObject().put("name", "subnetId").put("value", subnet);
        details.addObject().put("name", "networkInterfaceId").put("value", task.eniId);
        details.addObject().put("name", "privateIPv4Address").put("value", task.ip);
        return node;
    }

    private static int count(Collection<SimTask> tasks, String lastStatus) {
        return (int) tasks.stream().filter(t -> lastStatus.equals(t.lastStatus)).count();
    }

    private static String containerStatus(SimTask task) {
        return switch (task.lastStatus) {
            case SimTask.PROVISIONING -> SimTask.PENDING;
            case SimTask.DEACTIVATING, SimTask.STOPPING -> SimTask.RUNNING;
            default -> task.lastStatus;
        };
    }

    private static double grid(double t) {
        return Math.floor(t / STEP) * STEP;
    }

    private static double ceilGrid(double t) {
        return Math.ceil(t / STEP - 1e-9) * STEP;
    }

    static int threshold(int desired) {
        return Math.min(200, Math.max(3, (int) Math.ceil(0.5 * desired)));
    }

    private static String newDeploymentId() {
        StringBuilder id = new StringBuilder("ecs-svc/");
        id.append(1 + ThreadLocalRandom.current().nextInt(9));
        for (int i = 0; i < 18; i++) {
            id.append(ThreadLocalRandom.current().nextInt(10));
        }
        return id.toString();
    }

    private static String randomId(int length) {
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < length; i++) {
            id.append(BASE62.charAt(ThreadLocalRandom.current().nextInt(BASE62.length())));
        }
        return id.toString();
    }

    static String lastSegment(String arnOrName) {
        return arnOrName.substring(arnOrName.lastIndexOf('/') + 1);
    }

    static String family(String taskDefinitionArn) {
        String last = lastSegment(taskDefinitionArn);
        int colon = last.indexOf(':');
        return colon < 0 ? last : last.substring(0, colon);
    }
}
