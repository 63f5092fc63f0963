package dev.pushdeploy.local.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.model.TaskDefinition;
import dev.pushdeploy.local.ecs.Scenario.Fate;
import dev.pushdeploy.local.ecs.SimDeployment.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * The simulated state of every ECS service the simulator has seen: deployments that progress
 * with simulated time, tasks that start, pass or fail health checks and stop, the circuit
 * breaker (DESIGN 3.2: 0.5 × desired failed tasks, at least 3, at most 200) and its rollback
 * to the last completed deployment. Pure state: the HTTP side lives in {@link EcsSimulator}.
 */
final class Fleet {
    private static final double STEP = 0.25;
    private static final double RELAUNCH_BACKOFF = 2;

    private final SimClock clock;
    private final Function<String, TaskDefinition> taskDefinitions;
    private final Map<String, SimService> services = new LinkedHashMap<>();
    private final Map<String, Scenario> imageScenarios = new HashMap<>();
    private final List<DeploymentStart> starts = new ArrayList<>();
    private Scenario scenario = Scenario.HEALTHY;
    private double lastStep;
    private int addresses;

    Fleet(SimClock clock, Function<String, TaskDefinition> taskDefinitions) {
        this.clock = clock;
        this.taskDefinitions = taskDefinitions;
        this.lastStep = clock.now();
    }

    synchronized void scenario(Scenario scenario) {
        this.scenario = scenario;
    }

    synchronized Scenario scenario() {
        return scenario;
    }

    /** New revisions with this image digest behave per {@code scenario}, whatever the run's scenario. */
    synchronized void imageScenario(String digest, Scenario scenario) {
        imageScenarios.put(digest, scenario);
    }

    synchronized void reset() {
        services.clear();
        starts.clear();
        imageScenarios.clear();
        scenario = Scenario.HEALTHY;
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
        List<String> targetGroups = new ArrayList<>();
        motoService.path("loadBalancers").forEach(lb -> {
            if (lb.hasNonNull("targetGroupArn")) {
                targetGroups.add(lb.get("targetGroupArn").asText());
            }
        });
        SimService service = new SimService(cluster, motoService.path("clusterArn").asText(), name,
                motoService.path("serviceArn").asText(), targetGroups, motoService.path("networkConfiguration"));
        configure(service, motoService);
        JsonNode first = motoService.path("deployments").path(0);
        String id = first.path("id").asText(newDeploymentId());
        // A service first seen is steady on the revision it names (moto's deployments keep the
        // revision it was created with, whatever UpdateService asked before the simulator saw it).
        String taskDefinition = motoService.path("taskDefinition").asText(first.path("taskDefinition").asText());
        double t = lastStep;
        SimDeployment initial = new SimDeployment(id, taskDefinition, Kind.INITIAL, Fate.HEALTHY, false, t - 600);
        service.deployments.add(initial);
        for (int i = 0; i < service.desired; i++) {
            SimTask task = launch(service, initial, t - 600);
            task.advance(t, service.loadBalanced(), targetGroup(service));
        }
        complete(service, initial, t - 590);
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
            return;
        }
        double t = lastStep;
        SimDeployment deployment = newDeployment(service, taskDefinition, Kind.UPDATE, t);
        starts.add(new DeploymentStart(service.key(), deployment.id, taskDefinition, service.primary().id,
                service.primary().taskDefinition, service.primary().rolloutState));
        service.deployments.add(0, deployment);
        service.event(t, "has started a deployment " + deployment.id + " of " + lastSegment(taskDefinition) + ".");
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
            int dRunning = (int) tasks.stream().filter(x -> SimTask.RUNNING.equals(x.lastStatus)).count();
            int dPending = (int) tasks.stream()
                    .filter(x -> SimTask.PROVISIONING.equals(x.lastStatus) || SimTask.PENDING.equals(x.lastStatus)).count();
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
            node.put("createdAt", seconds(d.createdAt));
            node.put("updatedAt", seconds(d.updatedAt));
            node.put("launchType", "FARGATE");
            node.put("platformVersion", "1.4.0");
            node.put("platformFamily", "Linux");
            if (!service.networkConfiguration.isMissingNode()) {
                node.set("networkConfiguration", service.networkConfiguration.deepCopy());
            }
            node.put("rolloutState", d.rolloutState);
            node.put("rolloutStateReason", d.rolloutStateReason);
        }
        motoService.set("deployments", deployments);
        motoService.put("taskDefinition", service.primary().taskDefinition);
        motoService.put("desiredCount", service.desired);
        motoService.put("runningCount", running);
        if (!motoService.path("deploymentConfiguration").isObject()) {
            motoService.putObject("deploymentConfiguration").put("maximumPercent", 200).put("minimumHealthyPercent", 100)
                    .putObject("deploymentCircuitBreaker").put("enable", service.circuitBreaker)
                    .put("rollback", service.circuitBreakerRollback);
        }
        motoService.put("pendingCount", pending);
        ArrayNode events = Json.mapper().createArrayNode();
        for (SimService.Event e : service.events) {
            events.addObject().put("id", e.id()).put("createdAt", seconds(e.at())).put("message", e.message());
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
        List<SimService> users = services.values().stream().filter(s -> s.targetGroups.contains(targetGroupArn)).toList();
        if (users.isEmpty()) {
            return Optional.empty();
        }
        List<Target> targets = new ArrayList<>();
        for (SimService service : users) {
            for (SimTask task : service.tasks) {
                if (task.targetState != null) {
                    targets.add(new Target(task.ip, task.targetState, task.targetReason));
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
                .toList();
        boolean bad = serving.isEmpty() || serving.stream().anyMatch(t -> t.deployment.smokeFails);
        return Optional.of(bad ? 503 : 200);
    }

    synchronized List<DeploymentStart> starts() {
        return List.copyOf(starts);
    }

    /** One ALB target: a task's IP and its health. */
    record Target(String ip, String state, String reason) {
    }

    /** Takes the desired count and circuit breaker settings from a service or UpdateService request, where it has them. */
    private void configure(SimService service, JsonNode motoService) {
        service.desired = motoService.path("desiredCount").asInt(service.desired);
        JsonNode breaker = motoService.path("deploymentConfiguration").path("deploymentCircuitBreaker");
        if (breaker.isObject()) {
            service.circuitBreaker = breaker.path("enable").asBoolean(false);
            service.circuitBreakerRollback = breaker.path("rollback").asBoolean(false);
        }
    }

    private void advance() {
        double now = clock.now();
        while (lastStep + STEP <= now) {
            lastStep += STEP;
            for (SimService service : services.values()) {
                step(service, lastStep);
            }
        }
    }

    private void step(SimService service, double t) {
        for (SimTask task : service.tasks) {
            if (task.advance(t, service.loadBalanced(), targetGroup(service))) {
                SimDeployment d = task.deployment;
                d.failedTasks++;
                d.updatedAt = t;
                d.nextLaunchAt = t + RELAUNCH_BACKOFF;
                service.event(t, "has stopped 1 running tasks: (task " + task.id + ").");
            }
        }
        SimDeployment primary = service.primary();
        if (!SimDeployment.IN_PROGRESS.equals(primary.rolloutState)) {
            return;
        }
        if (service.circuitBreaker && primary.failedTasks >= threshold(service.desired)) {
            trip(service, primary, t);
            return;
        }
        List<SimTask> mine = service.tasksOf(primary);
        long live = mine.stream().filter(SimTask::live).count();
        if (live < service.desired && t >= primary.nextLaunchAt) {
            for (long i = live; i < service.desired; i++) {
                launch(service, primary, t);
            }
            service.event(t, "has started " + (service.desired - live) + " tasks.");
            primary.updatedAt = t;
        }
        long ready = mine.stream().filter(x -> x.ready(service.loadBalanced())).count();
        if (ready < service.desired) {
            return;
        }
        boolean othersGone = true;
        for (SimTask task : service.tasks) {
            if (task.deployment != primary && !task.stopped()) {
                task.drain(t, primary.id);
                othersGone = false;
            }
        }
        if (othersGone) {
            complete(service, primary, t);
        }
    }

    /** Circuit breaker: the deployment fails; with rollback on, ECS goes back to the last completed revision. */
    private void trip(SimService service, SimDeployment failed, double t) {
        failed.rolloutState = SimDeployment.FAILED;
        failed.rolloutStateReason = "ECS deployment circuit breaker: tasks failed to start.";
        failed.updatedAt = t;
        service.event(t, "(deployment " + failed.id + ") deployment failed: tasks failed to start.");
        SimDeployment target = service.lastCompleted;
        if (!service.circuitBreakerRollback || target == null || failed.kind == Kind.ECS_ROLLBACK
                || target.taskDefinition.equals(failed.taskDefinition)) {
            service.tasksOf(failed).forEach(x -> x.drain(t, failed.id));
            return;
        }
        SimDeployment rollback = newDeployment(service, target.taskDefinition, Kind.ECS_ROLLBACK, t);
        rollback.rolloutStateReason = "ECS deployment circuit breaker: rolling back to deploymentId " + target.id + ".";
        service.deployments.add(0, rollback);
        service.tasksOf(failed).forEach(x -> x.drain(t, rollback.id));
        service.event(t, "(deployment " + failed.id + ") rolling back to deployment " + target.id + ".");
    }

    private void complete(SimService service, SimDeployment primary, double t) {
        primary.rolloutState = SimDeployment.COMPLETED;
        primary.rolloutStateReason = "ECS deployment " + primary.id + " completed.";
        primary.updatedAt = t;
        service.completedRevisions.add(primary.taskDefinition);
        service.lastCompleted = primary;
        service.deployments.removeIf(d -> d != primary);
        service.event(t, "(deployment " + primary.id + ") deployment completed.");
        service.event(t, "has reached a steady state.");
    }

    private SimDeployment newDeployment(SimService service, String taskDefinition, Kind kind, double t) {
        Scenario behaviour = scenario;
        if (scenario != Scenario.ROLLBACK_FAILS && !service.completedRevisions.contains(taskDefinition)) {
            for (TaskDefinition.Container c : taskDefinitions.apply(taskDefinition).containers()) {
                String image = c.image();
                if (image != null && image.contains("@")) {
                    behaviour = imageScenarios.getOrDefault(image.substring(image.indexOf('@') + 1), behaviour);
                }
            }
        }
        boolean knownGood = service.completedRevisions.contains(taskDefinition) && scenario != Scenario.ROLLBACK_FAILS;
        Fate fate = knownGood ? Fate.HEALTHY : behaviour.fate();
        boolean smokeFails = !knownGood && behaviour.smokeFails();
        return new SimDeployment(newDeploymentId(), taskDefinition, kind, fate, smokeFails, t);
    }

    private SimTask launch(SimService service, SimDeployment deployment, double t) {
        String region = service.serviceArn.substring(0, service.serviceArn.indexOf(":service/"));
        byte[] random = new byte[16];
        ThreadLocalRandom.current().nextBytes(random);
        String arn = region + ":task/" + service.cluster + "/" + HexFormat.of().formatHex(random);
        int n = addresses++;
        String ip = "10.0." + (1 + n / 240 % 250) + "." + (10 + n % 240);
        SimTask task = new SimTask(arn, deployment, deployment.fate, t, ip);
        service.tasks.add(task);
        return task;
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
        node.put("platformVersion", "1.4.0");
        node.put("availabilityZone", "us-east-1a");
        node.put("connectivity", "CONNECTED");
        node.put("healthStatus", "UNKNOWN");
        node.put("cpu", definition.cpu());
        node.put("memory", definition.memory());
        node.put("createdAt", seconds(task.createdAt));
        if (task.startedAt != null) {
            node.put("startedAt", seconds(task.startedAt));
        }
        if (task.stoppingAt != null) {
            node.put("stoppingAt", seconds(task.stoppingAt));
        }
        if (task.stoppedAt != null) {
            node.put("stoppedAt", seconds(task.stoppedAt));
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

    private static String containerStatus(SimTask task) {
        return switch (task.lastStatus) {
            case SimTask.PROVISIONING -> SimTask.PENDING;
            case SimTask.DEACTIVATING, SimTask.STOPPING -> SimTask.RUNNING;
            default -> task.lastStatus;
        };
    }

    private double seconds(double t) {
        return clock.epochMillis(t) / 1000.0;
    }

    private static String targetGroup(SimService service) {
        return service.targetGroups.isEmpty() ? null : service.targetGroups.get(0);
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

    static String lastSegment(String arnOrName) {
        return arnOrName.substring(arnOrName.lastIndexOf('/') + 1);
    }

    static String family(String taskDefinitionArn) {
        String last = lastSegment(taskDefinitionArn);
        int colon = last.indexOf(':');
        return colon < 0 ? last : last.substring(0, colon);
    }
}
