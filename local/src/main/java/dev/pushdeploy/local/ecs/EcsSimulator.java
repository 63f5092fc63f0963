package dev.pushdeploy.local.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.TaskDefinition;
import dev.pushdeploy.local.endpoint.AwsRequest;
import dev.pushdeploy.local.endpoint.AwsResponse;
import dev.pushdeploy.local.endpoint.ExecutionScope;
import dev.pushdeploy.local.endpoint.LocalEndpoint;
import dev.pushdeploy.local.endpoint.Route;
import java.nio.charset.StandardCharsets;
import dev.pushdeploy.local.time.Agenda;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

/**
 * The ECS rollout simulator, as a route of the local endpoint (moto's ECS never progresses a
 * deployment). It answers UpdateService (moto's answer plus a new PRIMARY deployment; refused, as ECS refuses
 * it, for a deregistered revision, which moto would accept),
 * DescribeServices (moto's services with the simulated deployments, counts and events),
 * ListTasks, DescribeTasks, ListServiceDeployments, DescribeServiceDeployments,
 * StopServiceDeployment (stop type ROLLBACK) and ELBv2 DescribeTargetHealth from the simulated
 * {@link Fleet}; serves the smoke URL {@code /pushdeploy-local/smoke/<cluster>/<service>}; sends
 * the events ECS sends to EventBridge, each when it happens in simulated time (as an
 * {@link Agenda}, it has work whenever a task or deployment changes); and throttles ECS calls
 * when told to. Everything else about ECS (task definitions, clusters) is moto's.
 */
public final class EcsSimulator implements Route, Agenda {
    public static final String SMOKE_PATH = "/pushdeploy-local/smoke/";
    /** The test listener: {@code /pushdeploy-local/test/<cluster>/<service>}, routed by the test rule's header. */
    public static final String TEST_PATH = "/pushdeploy-local/test/";
    private static final String ECS_TARGET = "AmazonEC2ContainerServiceV20141113.";
    /** A private ECR image: {@code <account>.dkr.ecr.<region>.amazonaws.com/<repository>} and a digest or a tag. */
    private static final Pattern ECR_IMAGE = Pattern.compile(
            "\\d{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com/([a-z0-9._/-]+)(?:@(sha256:[0-9a-f]{64})|:([A-Za-z0-9_][A-Za-z0-9_.-]*))");

    private final LocalEndpoint endpoint;
    private final Fleet fleet;
    private final Map<String, TaskDefinition> taskDefinitions = new ConcurrentHashMap<>();
    /** Revisions deleted while in use, DELETE_IN_PROGRESS until the fleet lets go of them (see {@link #deleteTaskDefinitions}). */
    private final Set<String> deleting = ConcurrentHashMap.newKeySet();
    private volatile Throttling throttling = Throttling.off();
    private volatile BiPredicate<String, String> archived = (repository, digest) -> false;
    private volatile HookInvoker hooks = (function, payload) -> {
        throw new IllegalStateException("no Lambda runtime to invoke lifecycle hook " + function);
    };

    /** Invokes a Lambda function with a payload: its response, or an exception when the function failed. */
    @FunctionalInterface
    public interface HookInvoker {
        String invoke(String function, String payload);
    }
    public EcsSimulator(LocalEndpoint endpoint, Clock clock) {
        this.endpoint = endpoint;
        this.fleet = new Fleet(clock, this::taskDefinition);
    }

    /** Which images ECR holds archived (repository, digest): no task can pull them. */
    public void archive(BiPredicate<String, String> archived) {
        this.archived = archived;
    }

    /** Where the events ECS sends to EventBridge go. */
    public void events(Consumer<ObjectNode> sink) {
        fleet.events(sink);
    }

    /** How long a healthy rollout of a new revision takes from now on (simulated seconds; every phase scales). */
    public void rolloutSeconds(double seconds) {
        fleet.rolloutSeconds(seconds);
    }

    /** How lifecycle hooks are invoked (the local Lambda runtime). */
    public void hooks(HookInvoker invoker) {
        this.hooks = invoker;
    }

    /** The traffic-shifting strategy of {@code cluster/service}; null for ROLLING (moto keeps no deploymentConfiguration). */
    public void trafficShift(String cluster, String service, TrafficShift shift) {
        fleet.trafficShift(cluster + "/" + service, shift);
    }

    /** Whether a deployment alarm is in ALARM in the simulation. */
    public boolean inAlarm(String alarm) {
        return fleet.inAlarm(alarm);
    }

    @Override
    public OptionalLong nextAt() {
        return fleet.nextChangeAt();
    }

    /** Brings the fleet up to now, and invokes the lifecycle hooks that fell due (outside the fleet's lock: hooks call ECS). */
    @Override
    public void runUntil(long nowMillis) {
        fleet.advance();
        deleteUnused();
        for (List<HookCall> due = fleet.dueHooks(); !due.isEmpty(); due = fleet.dueHooks()) {
            for (HookCall call : due) {
                JsonNode answer = null;
                String error = null;
                try {
                    answer = Json.tree(hooks.invoke(call.function, call.payload));
                } catch (RuntimeException e) {
                    error = e.getMessage();
                }
                fleet.hookAnswered(call, answer, error);
            }
        }
    }

    /** The behaviour of new revisions from now on. */
    public void scenario(Scenario scenario) {
        fleet.scenario(scenario);
    }

    public Scenario scenario() {
        return fleet.scenario();
    }

    /** New revisions running this image digest behave per {@code scenario}, whatever the run's scenario. */
    public void imageScenario(String digest, Scenario scenario) {
        fleet.imageScenario(digest, scenario);
    }

    /** Tasks running this image reference cannot pull it: no registry holds it (the stack's bootstrap tag). */
    public void unpullable(String image) {
        fleet.unpullable(image);
    }

    public void throttling(Throttling throttling) {
        this.throttling = throttling;
    }

    public Throttling throttling() {
        return throttling;
    }

    /** Every deployment UpdateService started since the last reset, oldest first. */
    public List<DeploymentStart> deploymentStarts() {
        return fleet.starts();
    }

    /** Forgets every service and setting (after the emulator was reset). */
    public void reset() {
        fleet.reset();
        taskDefinitions.clear();
        deleting.clear();
        throttling = Throttling.off();
    }

    @Override
    public Optional<AwsResponse> handle(AwsRequest request) {
        if (request.path().startsWith(SMOKE_PATH)) {
            return Optional.of(smoke(request.path().substring(SMOKE_PATH.length())));
        }
        if (request.path().startsWith(TEST_PATH)) {
            return Optional.of(test(request.path().substring(TEST_PATH.length()), request));
        }
        if (request.path().equals(DESCRIBE_ALARMS)) {
            return Optional.of(describeAlarms(request));
        }
        if (request.path().equals(DELETE_ALARMS)) {
            return Optional.of(deleteAlarms(request));
        }
        String target = request.header("X-Amz-Target");
        if (target != null && target.startsWith(ECS_TARGET)) {
            if (request.header(ExecutionScope.INTERNAL_HEADER) == null
                    && throttling.throttle(target.substring(ECS_TARGET.length()), request.header("amz-sdk-invocation-id"),
                            request.header("amz-sdk-request"))) {
                return Optional.of(AwsResponse.json(400, AwsResponse.JSON_1_1,
                        "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}", Map.of()));
            }
            return switch (target.substring(ECS_TARGET.length())) {
                case "UpdateService" -> Optional.of(updateService(request));
                case "DescribeServices" -> Optional.of(describeServices(request));
                case "ListTasks" -> listTasks(request);
                case "DescribeTasks" -> describeTasks(request);
                case "ListServiceDeployments" -> Optional.of(listServiceDeployments(request));
                case "DescribeServiceDeployments" -> Optional.of(describeServiceDeployments(request));
                case "StopServiceDeployment" -> Optional.of(stopServiceDeployment(request));
                case "DescribeServiceRevisions" -> Optional.of(describeServiceRevisions(request));
                case "DescribeTaskDefinition" -> describeTaskDefinition(request);
                case "DeleteTaskDefinitions" -> Optional.of(deleteTaskDefinitions(request));
                default -> Optional.empty();
            };
        }
        if ("DescribeTargetHealth".equals(request.form().get("Action"))) {
            return describeTargetHealth(request);
        }
        return Optional.empty();
    }

    private AwsResponse updateService(AwsRequest request) {
        JsonNode body = Json.tree(request.bodyText());
        String cluster = cluster(body);
        String service = Fleet.lastSegment(body.path("service").asText());
        ensureAdopted(cluster, service);
        if (body.hasNonNull("taskDefinition") && inactive(body.get("taskDefinition").asText())) {
            return ecsError("InvalidParameterException", "TaskDefinition is inactive");
        }
        AwsResponse moto = endpoint.forward(request);
        if (moto.status() != 200) {
            return moto;
        }
        ObjectNode answer = (ObjectNode) Json.tree(moto.bodyText());
        ObjectNode updated = (ObjectNode) answer.path("service");
        for (TaskDefinition.Container container : taskDefinition(updated.path("taskDefinition").asText()).containers()) {
            registryHolds(container.image()).ifPresent(held -> fleet.registryHolds(container.image(), held));
            parametersExist(container.secrets().values()).forEach(fleet::parameterExists);
        }
        fleet.updated(updated, body);
        fleet.decorate(updated);
        return jsonAnswer(moto, answer);
    }

    private AwsResponse describeServices(AwsRequest request) {
        AwsResponse moto = endpoint.forward(request);
        if (moto.status() != 200) {
            return moto;
        }
        ObjectNode answer = (ObjectNode) Json.tree(moto.bodyText());
        for (JsonNode service : answer.path("services")) {
            adopt(service);
            fleet.decorate((ObjectNode) service);
        }
        return jsonAnswer(moto, answer);
    }

    private Optional<AwsResponse> listTasks(AwsRequest request) {
        JsonNode body = Json.tree(request.bodyText());
        String cluster = cluster(body);
        String service = body.hasNonNull("serviceName") ? Fleet.lastSegment(body.get("serviceName").asText()) : null;
        if (service != null) {
            ensureAdopted(cluster, service);
        }
        if (!fleet.knowsCluster(cluster)) {
            return Optional.empty();
        }
        List<String> arns = fleet.listTasks(cluster, service, body.path("desiredStatus").asText("RUNNING"),
                body.hasNonNull("startedBy") ? body.get("startedBy").asText() : null,
                body.hasNonNull("family") ? body.get("family").asText() : null);
        int offset = body.hasNonNull("nextToken") ? Integer.parseInt(body.get("nextToken").asText()) : 0;
        int max = body.path("maxResults").asInt(100);
        ObjectNode answer = Json.object();
        ArrayNode page = answer.putArray("taskArns");
        arns.stream().skip(offset).limit(max).forEach(page::add);
        if (offset + max < arns.size()) {
            answer.put("nextToken", String.valueOf(offset + max));
        }
        return Optional.of(ecsAnswer(answer));
    }

    private Optional<AwsResponse> describeTasks(AwsRequest request) {
        JsonNode body = Json.tree(request.bodyText());
        String cluster = cluster(body);
        if (!fleet.knowsCluster(cluster)) {
            return Optional.empty();
        }
        ObjectNode answer = Json.object();
        ArrayNode tasks = answer.putArray("tasks");
        ArrayNode failures = answer.putArray("failures");
        for (JsonNode arn : body.path("tasks")) {
            Optional<ObjectNode> task = fleet.describeTask(cluster, arn.asText());
            if (task.isPresent()) {
                tasks.add(task.get());
            } else {
                failures.addObject().put("arn", arn.asText()).put("reason", "MISSING");
            }
        }
        return Optional.of(ecsAnswer(answer));
    }

    private Optional<AwsResponse> describeTargetHealth(AwsRequest request) {
        Map<String, String> form = request.form();
        String targetGroup = form.get("TargetGroupArn");
        if (targetGroup == null) {
            return Optional.empty();
        }
        Optional<List<Fleet.Target>> targets = fleet.targets(targetGroup);
        if (targets.isEmpty()) {
            adoptAll();
            targets = fleet.targets(targetGroup);
        }
        if (targets.isEmpty()) {
            return Optional.empty();
        }
        List<String> asked = new ArrayList<>();
        for (int i = 1; form.containsKey("Targets.member." + i + ".Id"); i++) {
            asked.add(form.get("Targets.member." + i + ".Id"));
        }
        Map<String, Fleet.Target> byIp = new HashMap<>();
        targets.get().forEach(t -> byIp.put(t.ip(), t));
        StringBuilder xml = new StringBuilder()
                .append("<DescribeTargetHealthResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">")
                .append("<DescribeTargetHealthResult><TargetHealthDescriptions>");
        List<Fleet.Target> shown = asked.isEmpty() ? targets.get()
                : asked.stream().map(ip -> byIp.getOrDefault(ip, new Fleet.Target(ip, 0, "unused", "Target.NotRegistered"))).toList();
        for (Fleet.Target t : shown) {
            xml.append("<member><Target><Id>").append(t.ip()).append("</Id>");
            if (t.port() > 0) {
                xml.append("<Port>").append(t.port()).append("</Port></Target><HealthCheckPort>").append(t.port()).append("</HealthCheckPort>");
            } else {
                xml.append("</Target>");
            }
            xml.append("<TargetHealth><State>").append(t.state()).append("</State>");
            if (t.reason() != null) {
                xml.append("<Reason>").append(t.reason()).append("</Reason>");
            }
            xml.append("</TargetHealth></member>");
        }
        xml.append("</TargetHealthDescriptions></DescribeTargetHealthResult><ResponseMetadata><RequestId>")
                .append(UUID.randomUUID()).append("</RequestId></ResponseMetadata></DescribeTargetHealthResponse>");
        return Optional.of(AwsResponse.xml(200, xml.toString()));
    }

    private AwsResponse smoke(String servicePath) {
        String[] parts = servicePath.split("/");
        if (parts.length != 2) {
            return AwsResponse.text(404, "no such service: " + servicePath + "\n");
        }
        ensureAdopted(parts[0], parts[1]);
        Optional<Integer> status = fleet.smokeStatus(parts[0], parts[1]);
        if (status.isEmpty()) {
            return AwsResponse.text(404, "no such service: " + servicePath + "\n");
        }
        return AwsResponse.text(status.get(), status.get() == 200 ? "ok\n" : "service unavailable\n");
    }

    /** Through the test listener: the header names which rule matches (case-insensitive header names, as HTTP has them). */
    private AwsResponse test(String servicePath, AwsRequest request) {
        String[] parts = servicePath.split("/");
        if (parts.length != 2) {
            return AwsResponse.text(404, "no such service: " + servicePath + "\n");
        }
        ensureAdopted(parts[0], parts[1]);
        Optional<Integer> status = fleet.testStatus(parts[0], parts[1], request.header(TEST_HEADER));
        if (status.isEmpty()) {
            return AwsResponse.text(404, "no such service: " + servicePath + "\n");
        }
        return AwsResponse.text(status.get(), status.get() == 200 ? "ok\n" : "service unavailable\n");
    }

    /** CloudWatch's DescribeAlarms in Smithy RPC v2 CBOR, the protocol the SDK speaks to CloudWatch. */
    static final String DESCRIBE_ALARMS = "/service/GraniteServiceVersion20100801/operation/DescribeAlarms";
    private static final com.fasterxml.jackson.dataformat.cbor.CBORFactory CBOR = new com.fasterxml.jackson.dataformat.cbor.CBORFactory();
    private final Set<String> alarms = ConcurrentHashMap.newKeySet();

    /** The CloudWatch alarms the stack has (moto cannot serve them to the SDK: they live here), all OK until a scenario breaches one. */
    public void alarms(List<String> names) {
        alarms.clear();
        alarms.addAll(names);
    }

    /** DeleteAlarms, as an operator deletes one of the stack's alarms: it is gone from DescribeAlarms. */
    static final String DELETE_ALARMS = "/service/GraniteServiceVersion20100801/operation/DeleteAlarms";

    private AwsResponse deleteAlarms(AwsRequest request) {
        List<String> named = alarmNames(request);
        if (named == null) {
            return AwsResponse.text(400, "not CBOR");
        }
        alarms.removeAll(named);
        return cborAnswer(new byte[] {(byte) 0xa0});
    }

    /** The request's AlarmNames; null when its body is not CBOR. */
    private static List<String> alarmNames(AwsRequest request) {
        List<String> named = new ArrayList<>();
        try (com.fasterxml.jackson.core.JsonParser parser = CBOR.createParser(request.body())) {
            JsonNode body = new com.fasterxml.jackson.databind.ObjectMapper(CBOR).readTree(parser);
            if (body != null) {
                body.path("AlarmNames").forEach(n -> named.add(n.asText()));
            }
        } catch (java.io.IOException e) {
            return null;
        }
        return named;
    }

    private static AwsResponse cborAnswer(byte[] body) {
        return new AwsResponse(200, Map.of("Content-Type", List.of("application/cbor"), "smithy-protocol", List.of("rpc-v2-cbor"),
                "x-amzn-RequestId", List.of(UUID.randomUUID().toString())), body);
    }

    /**
     * DescribeAlarms by name: the stack's alarms as metric alarms, ALARM while the simulation has one in
     * ALARM (the alarm-in-bake scenario), else OK. Unknown names are left out, as CloudWatch does.
     */
    private AwsResponse describeAlarms(AwsRequest request) {
        List<String> asked = alarmNames(request);
        if (asked == null) {
            return AwsResponse.text(400, "not CBOR");
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (com.fasterxml.jackson.dataformat.cbor.CBORGenerator cbor = CBOR.createGenerator(out)) {
            cbor.writeStartObject();
            cbor.writeArrayFieldStart("MetricAlarms");
            for (String name : asked) {
                if (!alarms.contains(name)) {
                    continue;
                }
                OptionalLong since = fleet.alarmSince(name);
                cbor.writeStartObject();
                cbor.writeStringField("AlarmName", name);
                cbor.writeStringField("StateValue", since.isPresent() ? "ALARM" : "OK");
                cbor.writeStringField("StateReason", since.isPresent()
                        ? "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (simulated)"
                        : "Threshold Crossed: no datapoint was greater than the threshold (simulated)");
                cbor.writeFieldName("StateUpdatedTimestamp");
                cbor.writeTag(1);
                cbor.writeNumber((since.isPresent() ? since.getAsLong() : 0L) / 1000.0);
                cbor.writeEndObject();
            }
            cbor.writeEndArray();
            cbor.writeArrayFieldStart("CompositeAlarms");
            cbor.writeEndArray();
            cbor.writeEndObject();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return cborAnswer(out.toByteArray());
    }

    /** The header of the template's test listener rule. */
    public static final String TEST_HEADER = "X-Pushdeploy-Test";

    private AwsResponse describeServiceRevisions(AwsRequest request) {
        JsonNode arns = Json.tree(request.bodyText()).path("serviceRevisionArns");
        if (!arns.isArray() || arns.isEmpty() || arns.size() > 20) {
            return ecsError("InvalidParameterException", "serviceRevisionArns must name 1 to 20 service revisions.");
        }
        ObjectNode answer = Json.object();
        ArrayNode found = answer.putArray("serviceRevisions");
        ArrayNode failures = answer.putArray("failures");
        for (JsonNode arn : arns) {
            fleet.describeServiceRevision(arn.asText()).ifPresentOrElse(found::add,
                    () -> failures.addObject().put("arn", arn.asText()).put("reason", "MISSING"));
        }
        return ecsAnswer(answer);
    }

    /** Makes sure the fleet knows a service, asking moto for it. */
    private void ensureAdopted(String cluster, String service) {
        if (fleet.knows(cluster, service)) {
            return;
        }
        String body = Json.object().put("cluster", cluster).set("services", Json.mapper().createArrayNode().add(service)).toString();
        AwsResponse moto = endpoint.forward(ecsRequest("DescribeServices", body));
        if (moto.status() == 200) {
            Json.tree(moto.bodyText()).path("services").forEach(this::adopt);
        }
    }

    /** Hands a moto service to the fleet, its task definition looked up first (the fleet never calls moto). */
    private void adopt(JsonNode motoService) {
        String taskDefinition = motoService.path("deployments").path(0).path("taskDefinition")
                .asText(motoService.path("taskDefinition").asText());
        if (!taskDefinition.isEmpty()) {
            taskDefinition(taskDefinition);
        }
        fleet.adopt(motoService);
    }

    /** Takes over every service moto knows (a target group can be asked about before its service). */
    private void adoptAll() {
        AwsResponse clusters = endpoint.forward(ecsRequest("ListClusters", "{}"));
        if (clusters.status() != 200) {
            return;
        }
        for (JsonNode clusterArn : Json.tree(clusters.bodyText()).path("clusterArns")) {
            String cluster = Fleet.lastSegment(clusterArn.asText());
            AwsResponse services = endpoint.forward(ecsRequest("ListServices", Json.object().put("cluster", cluster).toString()));
            if (services.status() == 200) {
                Json.tree(services.bodyText()).path("serviceArns").forEach(s -> ensureAdopted(cluster, Fleet.lastSegment(s.asText())));
            }
        }
    }

    private AwsResponse listServiceDeployments(AwsRequest request) {
        JsonNode body = Json.tree(request.bodyText());
        String serviceArg = body.path("service").asText("");
        if (serviceArg.isEmpty()) {
            return ecsError("InvalidParameterException", "service is required.");
        }
        String cluster = serviceArg.contains(":service/") ? serviceArg.split("/")[1] : cluster(body);
        String service = Fleet.lastSegment(serviceArg);
        ensureAdopted(cluster, service);
        Set<String> statuses = new HashSet<>();
        body.path("status").forEach(s -> statuses.add(s.asText()));
        JsonNode createdAt = body.path("createdAt");
        Double after = createdAt.path("after").isNumber() ? createdAt.get("after").asDouble() : null;
        Double before = createdAt.path("before").isNumber() ? createdAt.get("before").asDouble() : null;
        Optional<List<ObjectNode>> found = fleet.serviceDeployments(cluster, service, statuses, after, before);
        if (found.isEmpty()) {
            return ecsError("ServiceNotFoundException", "Service not found.");
        }
        int max = body.path("maxResults").asInt(20);
        if (max < 1 || max > 100) {
            return ecsError("InvalidParameterException", "maxResults must be between 1 and 100.");
        }
        int offset = body.hasNonNull("nextToken") ? Integer.parseInt(body.get("nextToken").asText()) : 0;
        ObjectNode answer = Json.object();
        ArrayNode page = answer.putArray("serviceDeployments");
        found.get().stream().skip(offset).limit(max).forEach(page::add);
        if (offset + max < found.get().size()) {
            answer.put("nextToken", String.valueOf(offset + max));
        }
        return ecsAnswer(answer);
    }

    private AwsResponse describeServiceDeployments(AwsRequest request) {
        JsonNode arns = Json.tree(request.bodyText()).path("serviceDeploymentArns");
        if (!arns.isArray() || arns.isEmpty() || arns.size() > 20) {
            return ecsError("InvalidParameterException", "serviceDeploymentArns must name 1 to 20 service deployments.");
        }
        ObjectNode answer = Json.object();
        ArrayNode found = answer.putArray("serviceDeployments");
        ArrayNode failures = answer.putArray("failures");
        for (JsonNode arn : arns) {
            fleet.describeServiceDeployment(arn.asText()).ifPresentOrElse(found::add,
                    () -> failures.addObject().put("arn", arn.asText()).put("reason", "MISSING"));
        }
        return ecsAnswer(answer);
    }

    private AwsResponse stopServiceDeployment(AwsRequest request) {
        JsonNode body = Json.tree(request.bodyText());
        String arn = body.path("serviceDeploymentArn").asText("");
        String stopType = body.path("stopType").asText("ROLLBACK");
        if (!stopType.equals("ROLLBACK")) {
            return ecsError("InvalidParameterException", "the simulator stops rolling deployments with stopType ROLLBACK only, not "
                    + stopType + ".");
        }
        return switch (fleet.stopServiceDeployment(arn)) {
            case STOPPING -> ecsAnswer(Json.object().put("serviceDeploymentArn", arn));
            case NOT_FOUND -> ecsError("ServiceDeploymentNotFoundException", "The service deployment " + arn + " does not exist.");
            case FINISHED -> ecsError("ConflictException", "The service deployment " + arn + " is not in progress.");
        };
    }

    private static AwsResponse ecsError(String type, String message) {
        return AwsResponse.json(400, AwsResponse.JSON_1_1,
                Json.object().put("__type", type).put("message", message).toString(),
                Map.of("x-amzn-RequestId", UUID.randomUUID().toString()));
    }

    /**
     * DeleteTaskDefinitions as ECS's API reference describes it: a deregistered revision goes DELETE_IN_PROGRESS, still
     * described (and refused to UpdateService) while a service's deployment or a task uses it, and is deleted once none
     * does; one no service uses is deleted at once. moto deletes every one at once, so the simulator holds back those in
     * use and hands them to moto when the fleet lets go of them (a few seconds of simulated time later at most).
     */
    private AwsResponse deleteTaskDefinitions(AwsRequest request) {
        ObjectNode answer = Json.object();
        ArrayNode deleted = answer.putArray("taskDefinitions");
        ArrayNode failures = answer.putArray("failures");
        List<String> now = new ArrayList<>();
        adoptAll();
        for (JsonNode reference : Json.tree(request.bodyText()).path("taskDefinitions")) {
            AwsResponse moto = endpoint.forward(ecsRequest("DescribeTaskDefinition",
                    Json.object().put("taskDefinition", reference.asText()).toString()));
            JsonNode td = moto.status() == 200 ? Json.tree(moto.bodyText()).path("taskDefinition") : null;
            if (td == null || !"INACTIVE".equals(td.path("status").asText()) || !fleet.uses(td.path("taskDefinitionArn").asText())) {
                now.add(reference.asText());
                continue;
            }
            deleting.add(td.path("taskDefinitionArn").asText());
            deleted.add(((ObjectNode) td).put("status", "DELETE_IN_PROGRESS"));
        }
        if (!now.isEmpty()) {
            ObjectNode body = Json.object();
            now.forEach(body.putArray("taskDefinitions")::add);
            AwsResponse moto = endpoint.forward(ecsRequest("DeleteTaskDefinitions", body.toString()));
            if (moto.status() != 200) {
                return moto;
            }
            JsonNode motoAnswer = Json.tree(moto.bodyText());
            motoAnswer.path("taskDefinitions").forEach(deleted::add);
            motoAnswer.path("failures").forEach(failures::add);
        }
        return ecsAnswer(answer);
    }

    /** The revisions held back from deletion that no service or task uses any more, deleted (handed to moto). */
    private void deleteUnused() {
        for (String arn : List.copyOf(deleting)) {
            if (!fleet.uses(arn)) {
                ObjectNode body = Json.object();
                body.putArray("taskDefinitions").add(arn);
                endpoint.forward(ecsRequest("DeleteTaskDefinitions", body.toString()));
                deleting.remove(arn);
            }
        }
    }

    /** DescribeTaskDefinition: a family alone as {@link #newestActive}; a revision held back from deletion DELETE_IN_PROGRESS. */
    private Optional<AwsResponse> describeTaskDefinition(AwsRequest request) {
        Optional<AwsResponse> newest = newestActive(request);
        if (newest.isPresent() || deleting.isEmpty()) {
            return newest;
        }
        AwsResponse moto = endpoint.forward(request);
        if (moto.status() != 200) {
            return Optional.of(moto);
        }
        ObjectNode answer = (ObjectNode) Json.tree(moto.bodyText());
        ObjectNode td = (ObjectNode) answer.path("taskDefinition");
        if (deleting.contains(td.path("taskDefinitionArn").asText())) {
            td.put("status", "DELETE_IN_PROGRESS");
        }
        return Optional.of(jsonAnswer(moto, answer));
    }

    /**
     * DescribeTaskDefinition of a family alone answers its newest ACTIVE revision, as ECS's API reference says (moto answers
     * its newest of any status); a family with none is ECS's ClientException. Any other reference goes to moto as it is.
     */
    private Optional<AwsResponse> newestActive(AwsRequest request) {
        ObjectNode body = (ObjectNode) Json.tree(request.bodyText());
        String family = body.path("taskDefinition").asText("");
        if (family.isEmpty() || family.contains(":") || family.contains("/")) {
            return Optional.empty();
        }
        AwsResponse listed = endpoint.forward(ecsRequest("ListTaskDefinitions",
                Json.object().put("familyPrefix", family).put("status", "ACTIVE").toString()));
        if (listed.status() != 200) {
            return Optional.of(listed);
        }
        Optional<String> newest = StreamSupport.stream(Json.tree(listed.bodyText()).path("taskDefinitionArns").spliterator(), false)
                .map(JsonNode::asText)
                .filter(arn -> family.equals(Revisions.family(arn)))
                .max(Comparator.comparingInt(Revisions::revision));
        if (newest.isEmpty()) {
            return Optional.of(ecsError("ClientException", "Unable to describe task definition."));
        }
        body.put("taskDefinition", newest.get());
        return Optional.of(endpoint.forward(ecsRequest("DescribeTaskDefinition", body.toString())));
    }

    /**
     * Whether the revision is deregistered: ECS refuses to move a service to it (moto accepts), answering
     * InvalidParameterException "TaskDefinition is inactive" (the simulator leaves out the few minutes ECS may still take
     * to enforce it after the deregistration).
     */
    private boolean inactive(String reference) {
        AwsResponse moto = endpoint.forward(ecsRequest("DescribeTaskDefinition", Json.object().put("taskDefinition", reference).toString()));
        return moto.status() == 200 && "INACTIVE".equals(Json.tree(moto.bodyText()).path("taskDefinition").path("status").asText());
    }

    /**
     * Whether ECR (moto) holds an image of one of its repositories, asked as a task's pull would find it: false when the
     * repository exists and the image does not (deleted, or expired by a lifecycle policy) or is archived; empty for any
     * other image or answer (another registry, another account's repository), which the simulator leaves as it was.
     */
    private Optional<Boolean> registryHolds(String image) {
        Matcher ecr = ECR_IMAGE.matcher(image);
        if (!ecr.matches()) {
            return Optional.empty();
        }
        ObjectNode id = Json.object();
        id.put(ecr.group(2) != null ? "imageDigest" : "imageTag", ecr.group(2) != null ? ecr.group(2) : ecr.group(3));
        ObjectNode body = Json.object().put("repositoryName", ecr.group(1));
        body.putArray("imageIds").add(id);
        AwsResponse moto = endpoint.forward(AwsRequest.ecr("DescribeImages", body.toString()));
        if (moto.status() == 200) {
            String digest = Json.tree(moto.bodyText()).path("imageDetails").path(0).path("imageDigest").asText();
            return Optional.of(!archived.test(ecr.group(1), digest));
        }
        return moto.bodyText().contains("ImageNotFoundException") ? Optional.of(false) : Optional.empty();
    }

    /**
     * Which of the Parameter Store parameters secrets name exist (moto's GetParameters, without decryption: only its
     * InvalidParameters are read), as a task's agent finds them when it starts; Secrets Manager secrets are not asked.
     */
    private Map<String, Boolean> parametersExist(Collection<String> valueFroms) {
        List<String> names = valueFroms.stream().map(EcsSimulator::parameterName).filter(Objects::nonNull).distinct().toList();
        Map<String, Boolean> exist = new LinkedHashMap<>();
        for (int from = 0; from < names.size(); from += 10) {
            List<String> batch = names.subList(from, Math.min(names.size(), from + 10));
            ObjectNode body = Json.object().put("WithDecryption", false);
            batch.forEach(body.putArray("Names")::add);
            AwsResponse moto = endpoint.forward(AwsRequest.json("AmazonSSM.GetParameters", "ssm", body.toString()));
            if (moto.status() != 200) {
                continue;
            }
            Set<String> invalid = new HashSet<>();
            Json.tree(moto.bodyText()).path("InvalidParameters").forEach(n -> invalid.add(n.asText()));
            batch.forEach(name -> exist.put(name, !invalid.contains(name)));
        }
        return exist;
    }

    /** The parameter name a secret's valueFrom names (a name, or a Parameter Store ARN); null for a Secrets Manager secret. */
    static String parameterName(String valueFrom) {
        if (valueFrom == null || valueFrom.startsWith("arn:") && !valueFrom.contains(":parameter/")) {
            return null;
        }
        if (!valueFrom.startsWith("arn:")) {
            return valueFrom;
        }
        String path = valueFrom.substring(valueFrom.indexOf(":parameter/") + ":parameter/".length());
        return path.contains("/") ? "/" + path : path;
    }

    private TaskDefinition taskDefinition(String arn) {
        return taskDefinitions.computeIfAbsent(arn, key -> {
            AwsResponse moto = endpoint.forward(ecsRequest("DescribeTaskDefinition",
                    Json.object().put("taskDefinition", key).toString()));
            if (moto.status() != 200) {
                throw new IllegalStateException("moto cannot describe task definition " + key + ": " + moto.bodyText());
            }
            return model(key, Json.tree(moto.bodyText()).path("taskDefinition"));
        });
    }

    /** What the simulator reads of a DescribeTaskDefinition answer: size and containers (tags are not asked for). */
    static TaskDefinition model(String arn, JsonNode td) {
        List<TaskDefinition.Container> containers = new ArrayList<>();
        td.path("containerDefinitions").forEach(c -> containers.add(new TaskDefinition.Container(c.path("name").asText(),
                c.path("image").asText(), c.path("essential").asBoolean(true), pairs(c.path("environment"), "value"),
                pairs(c.path("secrets"), "valueFrom"))));
        return new TaskDefinition(arn, td.path("family").asText(), td.path("revision").asInt(),
                "ACTIVE".equals(td.path("status").asText()), td.path("cpu").asText(null), td.path("memory").asText(null),
                containers, Map.of());
    }

    private static Map<String, String> pairs(JsonNode list, String valueField) {
        Map<String, String> pairs = new LinkedHashMap<>();
        list.forEach(p -> pairs.put(p.path("name").asText(), p.path(valueField).asText()));
        return pairs;
    }

    /** A request of the simulator's own to moto's ECS (moto reads the service from the credential scope). */
    private static AwsRequest ecsRequest(String operation, String body) {
        return AwsRequest.json(ECS_TARGET + operation, "ecs", body);
    }

    private static String cluster(JsonNode body) {
        return Fleet.lastSegment(body.path("cluster").asText("default"));
    }

    private static AwsResponse ecsAnswer(JsonNode answer) {
        return AwsResponse.json(200, AwsResponse.JSON_1_1, answer.toString(),
                Map.of("x-amzn-RequestId", UUID.randomUUID().toString()));
    }

    private static AwsResponse jsonAnswer(AwsResponse moto, JsonNode answer) {
        return new AwsResponse(moto.status(), moto.headers(), answer.toString().getBytes(StandardCharsets.UTF_8));
    }
}
