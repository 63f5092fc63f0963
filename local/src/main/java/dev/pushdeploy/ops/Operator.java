package dev.pushdeploy.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.adapter.aws.DynamoLedger;
import dev.pushdeploy.adapter.aws.EcrRegistry;
import dev.pushdeploy.adapter.aws.SdkEcsServices;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.rollout.AlarmStates;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.config.SecretSpec;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.ledger.HistoryItem;
import dev.pushdeploy.ledger.LockItem;
import dev.pushdeploy.ledger.WaiterItem;
import dev.pushdeploy.ledger.KeptImages;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.release.ReleaseDerivation;
import dev.pushdeploy.release.RevisionChange;
import dev.pushdeploy.adapter.aws.EcsTaskDefinitions;
import dev.pushdeploy.adapter.aws.CloudWatchAlarmStates;
import dev.pushdeploy.adapter.aws.SsmConfigSource;
import dev.pushdeploy.adapter.aws.SfnReleaseRuns;
import dev.pushdeploy.ledger.ReleaseCloser;
import dev.pushdeploy.ledger.ReleaseRecord;
import dev.pushdeploy.ledger.ReleaseRuns;
import dev.pushdeploy.secrets.Slots;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.ImageDetail;
import software.amazon.awssdk.services.ecr.model.ImageNotFoundException;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Deployment;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionField;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthStateEnum;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The operator's view of one deployed pipeline: reads what is live and what happened, starts
 * and stops executions. Everything goes through the SDK with the {@link Connection}'s credentials,
 * region and endpoint; the same code serves AWS and the local stack.
 */
public final class Operator {
    /** How many running executions are looked at to find a service's runs in flight. */
    private static final int RUNNING_LOOKUP = 100;
    /** How often a release's record is looked for while the reconciler has not written it. */
    private static final Duration RECORD_POLL = Duration.ofSeconds(1);

    private final Pipeline pipeline;
    private final SfnClient sfnClient;
    private final StepFunctions sfn;
    private final EcsClient ecs;
    private final EcrClient ecr;
    private final ElasticLoadBalancingV2Client elb;
    private final AlarmStates alarms;
    private final DynamoLedger ledger;
    private final ConfigSource config;
    private final Clock clock;

    private Operator(Connection connection, Pipeline pipeline, Clock clock) {
        this.pipeline = pipeline;
        this.sfnClient = connection.client(SfnClient.builder());
        this.sfn = new StepFunctions(sfnClient);
        this.ecs = connection.client(EcsClient.builder());
        this.ecr = connection.client(EcrClient.builder());
        this.elb = connection.client(ElasticLoadBalancingV2Client.builder());
        this.alarms = new CloudWatchAlarmStates(() -> connection.client(CloudWatchClient.builder()));
        this.ledger = new DynamoLedger(connection.client(DynamoDbClient.builder()), pipeline.table());
        this.config = new SsmConfigSource(connection.client(SsmClient.builder()), pipeline.configParameter());
        this.clock = clock;
    }

    /** The pipeline of stack {@code stack} (its outputs, read from CloudFormation). */
    public static Operator connect(Connection connection, String stack) {
        return new Operator(connection, Pipeline.of(stack, new CloudFormation(connection).outputs(stack)), Clock.systemUTC());
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    public StepFunctions stepFunctions() {
        return sfn;
    }

    public PipelineConfig config() {
        return config.load();
    }

    /**
     * The target {@code --service} names ({@code cluster/service}), or the only one.
     *
     * @throws IllegalArgumentException when the name matches no target, or none is given and there are several
     */
    public Target target(String service) {
        return target(config().targets(), service);
    }

    static Target target(List<Target> targets, String service) {
        if (service == null) {
            if (targets.size() == 1) {
                return targets.get(0);
            }
            throw new IllegalArgumentException("the pipeline deploys " + targets.size() + " services; choose one with --service "
                    + targets.stream().map(Target::serviceKey).collect(Collectors.joining(" | ")));
        }
        return targets.stream().filter(t -> t.serviceKey().equals(service) || t.service().equals(service)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--service " + service + " is not deployed by this pipeline; one of: "
                        + targets.stream().map(Target::serviceKey).collect(Collectors.joining(", "))));
    }

    /** Starts an execution with a manual input; returns its ARN. */
    public String start(ObjectNode input, String name) {
        return sfn.startExecution(pipeline.stateMachineArn(), name, input.toString());
    }

    /** Starts a release of the manifest (the release state machine's input) as execution {@code name}. */
    public String startRelease(String manifest, String name) {
        return sfn.startExecution(pipeline.releaseStateMachineArn(), name, manifest);
    }

    /**
     * The ARN of an execution given by ARN or by name: a name is a run's (the deployment workflow's execution), or a
     * release's when the stack has releases and only a release has that name.
     *
     * @throws IllegalArgumentException when a run and a release both have that name (the ARN tells them apart)
     */
    public String executionArn(String nameOrArn) {
        if (nameOrArn.startsWith("arn:")) {
            if (!pipeline.owns(nameOrArn)) {
                throw new IllegalArgumentException("EXECUTION " + nameOrArn + " is not an execution of this pipeline's state machines ("
                        + pipeline.stateMachineArn() + pipeline.releaseStateMachineArnIfAny().map(r -> " or " + r).orElse("")
                        + "); --stack names the pipeline");
            }
            return nameOrArn;
        }
        String run = pipeline.executionArn(nameOrArn);
        Optional<String> release = pipeline.releaseExecutionArn(nameOrArn).filter(this::exists);
        if (release.isEmpty()) {
            return run;
        }
        if (exists(run)) {
            throw new IllegalArgumentException(nameOrArn + " names a run (" + run + ") and a release (" + release.get()
                    + "); give the ARN of the one you mean");
        }
        return release.get();
    }

    /** Whether {@code executionArn} is a release's. */
    public boolean isRelease(String executionArn) {
        return pipeline.isRelease(executionArn);
    }

    private boolean exists(String executionArn) {
        try {
            sfn.describeExecution(executionArn);
            return true;
        } catch (ExecutionDoesNotExistException absent) {
            return false;
        }
    }

    /**
     * How a release ended, with each service where it stands: the workflow's own summary; for a release that ended
     * without its Record state (stopped, timed out, failed by a service limit), the record the reconciler writes for
     * it, waited for up to {@code wait}, with each service it sent back read as far as its rollback has got.
     */
    public ReleaseSummary releaseSummary(JsonNode description, Duration wait) throws InterruptedException {
        ReleaseSummary summary = ReleaseSummary.of(description);
        if (!ReleaseCloser.endedWithoutItsRecord(summary.status(), description.path("error").asText(null))) {
            return summary;
        }
        Instant deadline = clock.instant().plus(wait);
        Optional<ReleaseRecord> record = ledger.release(summary.name());
        while (record.isEmpty() && clock.instant().isBefore(deadline)) {
            Thread.sleep(RECORD_POLL.toMillis());
            record = ledger.release(summary.name());
        }
        if (record.isEmpty()) {
            return summary.unrecorded("the reconciler has not recorded it yet (it writes where the release left each service once it"
                    + " hears of the end); follow it again to read that record");
        }
        ReleaseRuns runs = new SfnReleaseRuns(() -> sfnClient, pipeline.stateMachineArn());
        return summary.recorded(record.get(), record.get().services().stream().map(s -> ReleaseCloser.settled(s, runs)).toList());
    }

    /** StopExecution with a cause that says who stopped it. */
    public void cancel(String executionArn, String cause) {
        sfn.stopExecution(executionArn, null, cause);
    }

    /** The target's executions in flight, oldest first. */
    public List<Reports.Run> running(Target target) {
        List<Reports.Run> runs = new ArrayList<>();
        Instant now = clock.instant();
        for (ExecutionListItem item : sfn.executions(pipeline.stateMachineArn(), ExecutionStatus.RUNNING, RUNNING_LOOKUP)) {
            JsonNode input = Json.tree(sfnClient.describeExecution(r -> r.executionArn(item.executionArn())).input());
            if (serviceOf(input, config()).filter(target.serviceKey()::equals).isPresent()) {
                Position position = position(item.executionArn());
                Instant latest = position.at() != null && position.at().isAfter(now) ? position.at() : now;
                runs.add(new Reports.Run(item.executionArn(), item.name(), position.state(),
                        item.startDate().toString(), Duration.between(item.startDate(), latest).toMillis() / 1000.0));
            }
        }
        return runs.reversed();
    }

    /** The newest execution of the target, running or not (what {@code follow} attaches to without a name). */
    public Optional<String> latestExecution(Target target) {
        List<Reports.Run> inFlight = running(target);
        if (!inFlight.isEmpty()) {
            return Optional.of(inFlight.get(inFlight.size() - 1).execution());
        }
        for (ExecutionListItem item : sfn.executions(pipeline.stateMachineArn(), null, 50)) {
            JsonNode input = Json.tree(sfnClient.describeExecution(r -> r.executionArn(item.executionArn())).input());
            if (serviceOf(input, config()).filter(target.serviceKey()::equals).isPresent()) {
                return Optional.of(item.executionArn());
            }
        }
        return Optional.empty();
    }

    /**
     * {@code diff IMAGE}: the revision a deploy of {@code image} would register, against the live one.
     * Prepare's decision, the planned slots and the derived revision come from the pipeline's own
     * code, run in its read-only parts: nothing is written.
     */
    public Reports.Diff diff(Target target, String image) {
        ObjectNode input = Json.object().put("action", "deploy").put("service", target.serviceKey()).put("image", image);
        return new ReleasePreview(config, new EcrRegistry(ecr), new SdkEcsServices(ecs), ledger, new EcsTaskDefinitions(ecs), alarms, clock)
                .diff(target, input, pipeline.executionArn("preview-" + clock.millis()));
    }

    /** {@code status}: live revision, image, slots, health; runs in flight, lock and queue; the last outcomes. */
    public Reports.Status status(Target target) {
        Optional<Service> service = ecs.describeServices(r -> r.cluster(target.cluster()).services(target.service()))
                .services().stream().filter(s -> "ACTIVE".equals(s.status())).findFirst();
        Reports.Live live = service.map(s -> live(target, s.taskDefinition())).orElse(null);
        Reports.Health health = service.map(this::health).orElse(null);
        long now = clock.instant().getEpochSecond();
        Reports.Holder lock = ledger.lock(target.serviceKey()).map(l -> holder(l, now)).orElse(null);
        List<Reports.Holder> queue = ledger.waiters(target.serviceKey()).stream()
                .sorted(Comparator.comparing(WaiterItem::place))
                .map(w -> holder(w, now)).toList();
        List<Reports.Entry> recent = tagged(target, ledger.recentHistory(target.serviceKey(), 5).stream().map(h -> entry(h, null)).toList());
        return new Reports.Status(pipeline.stack(), target.serviceKey(), live, health, running(target), lock, queue, recent);
    }

    /** {@code history}: the newest {@code limit} deployment records, newest first, with how long each ran. */
    public List<Reports.Entry> history(Target target, int limit) {
        return tagged(target, ledger.recentHistory(target.serviceKey(), limit).stream().map(h -> entry(h, seconds(h))).toList());
    }

    /** Records of runs that named their image by digest (rollback, rotate, a deploy by digest), with the image's tag from ECR. */
    private List<Reports.Entry> tagged(Target target, List<Reports.Entry> entries) {
        Map<String, List<String>> tags = new java.util.HashMap<>();
        return entries.stream().map(e -> {
            if (e.tag() == null && e.digest() != null) {
                List<String> found = tags.computeIfAbsent(e.digest(), digest -> imageTags(target.repository(), digest));
                return found.isEmpty() ? e : e.withTag(found.get(0));
            }
            return e;
        }).toList();
    }

    private Reports.Live live(Target target, String taskDefinitionArn) {
        var revision = ecs.describeTaskDefinition(r -> r.taskDefinition(taskDefinitionArn).include(TaskDefinitionField.TAGS));
        TaskDefinition td = revision.taskDefinition();
        ContainerDefinition container = td.containerDefinitions().stream().filter(c -> c.name().equals(target.container()))
                .findFirst().orElse(null);
        String image = container == null ? null : container.image();
        String digest = image == null || !image.contains("@") ? null : image.substring(image.indexOf('@') + 1);
        Optional<ImageDetail> described = digest == null ? Optional.empty() : image(target.repository(), digest);
        List<String> allTags = described.map(ImageDetail::imageTags).orElse(List.of());
        List<String> tags = allTags.stream().filter(t -> !KeptImages.isKeepTag(t)).toList();
        boolean asked = dev.pushdeploy.model.TaskDefinition.Container.releaseOf(image, target.repository());
        String imageStatus = !asked ? null
                : described.map(d -> d.imageStatus() == null ? "ACTIVE" : d.imageStatusAsString()).orElse(Reports.Live.IMAGE_GONE);
        Boolean kept = !asked || described.isEmpty() ? null
                : allTags.contains(KeptImages.tag(Revisions.family(td.taskDefinitionArn()), Revisions.revision(td.taskDefinitionArn())));
        Map<String, String> environment = container == null ? Map.of() : container.environment().stream()
                .collect(Collectors.toMap(KeyValuePair::name, KeyValuePair::value, (a, b) -> b));
        List<Reports.SecretSlot> secrets = new ArrayList<>();
        for (SecretSpec spec : target.secrets()) {
            Map<String, String> references = container == null ? Map.of() : container.secrets().stream()
                    .collect(Collectors.toMap(s -> s.name(), s -> s.valueFrom(), (a, b) -> b, java.util.LinkedHashMap::new));
            String slot = Slots.live(spec, references).orElse(null);
            String parameter = references.get(spec.name());
            secrets.add(new Reports.SecretSlot(spec.name(), slot, parameter,
                    spec.postgres() == null ? null : environment.get(spec.postgres().usernameEnv())));
        }
        String release = revision.tags().stream().filter(t -> t.key().equals(ReleaseDerivation.TAG_REQUEST_ID)).map(t -> t.value())
                .findFirst().orElse(null);
        String copyOf = revision.tags().stream().filter(t -> t.key().equals(RevisionChange.TAG_COPY_OF)).map(t -> t.value())
                .findFirst().orElse(null);
        return new Reports.Live(td.taskDefinitionArn(), Revisions.shortName(td.taskDefinitionArn()), image, digest, tags, secrets, release,
                dev.pushdeploy.model.TaskDefinition.Container.released(image), copyOf, imageStatus, kept, td.statusAsString());
    }

    private List<String> imageTags(String repository, String digest) {
        return image(repository, digest).map(ImageDetail::imageTags).orElse(List.of());
    }

    /** The repository's image with that digest; empty when the repository holds no such image. */
    private Optional<ImageDetail> image(String repository, String digest) {
        try {
            return ecr.describeImages(r -> r.repositoryName(repository).imageIds(i -> i.imageDigest(digest)))
                    .imageDetails().stream().findFirst();
        } catch (ImageNotFoundException | RepositoryNotFoundException e) {
            return Optional.empty();
        }
    }

    private Reports.Health health(Service service) {
        Deployment primary = service.deployments().stream().filter(d -> "PRIMARY".equals(d.status())).findFirst().orElse(null);
        Integer healthy = null;
        Integer targets = null;
        if (!service.loadBalancers().isEmpty() && service.loadBalancers().get(0).targetGroupArn() != null) {
            String group = service.loadBalancers().get(0).targetGroupArn();
            List<TargetHealthDescription> described = elb.describeTargetHealth(r -> r.targetGroupArn(group)).targetHealthDescriptions();
            targets = described.size();
            healthy = (int) described.stream().filter(t -> t.targetHealth().state() == TargetHealthStateEnum.HEALTHY).count();
        }
        String strategy = service.deploymentConfiguration() == null || service.deploymentConfiguration().strategyAsString() == null
                ? "ROLLING" : service.deploymentConfiguration().strategyAsString();
        return new Reports.Health(strategy, primary == null ? null : primary.rolloutStateAsString(),
                primary == null ? null : primary.rolloutStateReason(),
                service.runningCount(), service.desiredCount(), service.pendingCount(),
                primary == null || primary.failedTasks() == null ? 0 : primary.failedTasks(),
                service.deployments().size(), healthy, targets);
    }

    /**
     * Where a running execution is: the state it entered last and the time of its newest event. An
     * execution's elapsed time is never less than its history shows (a clock behind the service's,
     * or the emulator's simulated time ahead of this one, would otherwise make it negative).
     */
    private record Position(String state, Instant at) {
    }

    private Position position(String executionArn) {
        List<HistoryEvent> events = sfnClient.getExecutionHistory(r -> r.executionArn(executionArn).reverseOrder(true).maxResults(50)).events();
        HistoryEvent entered = null;
        Instant at = null;
        for (HistoryEvent event : events) {
            if (event.stateEnteredEventDetails() != null && (entered == null || event.id() > entered.id())) {
                entered = event;
            }
            if (event.timestamp() != null && (at == null || event.timestamp().isAfter(at))) {
                at = event.timestamp();
            }
        }
        return new Position(entered == null ? null : entered.stateEnteredEventDetails().name(), at);
    }

    private Double seconds(HistoryItem item) {
        if (item.requestId() == null || item.finishedAt() == null) {
            return null;
        }
        try {
            var execution = sfnClient.describeExecution(r -> r.executionArn(pipeline.executionArn(item.requestId())));
            Instant end = execution.stopDate() != null ? execution.stopDate() : Instant.parse(item.finishedAt());
            return Duration.between(execution.startDate(), end).toMillis() / 1000.0;
        } catch (RuntimeException gone) {
            return null;
        }
    }

    private static Reports.Entry entry(HistoryItem h, Double seconds) {
        String digest = h.digest() != null ? h.digest() : h.image() != null && h.image().contains("@")
                ? h.image().substring(h.image().indexOf('@') + 1) : null;
        return new Reports.Entry(h.finishedAt(), h.outcome() == null ? null : h.outcome().name(),
                h.action() == null ? null : h.action().name().toLowerCase(), h.source(), h.image(), h.tag(), digest,
                Revisions.shortName(h.taskDefinition()), Revisions.shortName(h.previousTaskDefinition()), seconds, h.summary(),
                h.requestId(), h.reach() == null ? null : h.reach().strategy(), h.reach() == null ? null : h.reach().stage(),
                h.reach() == null ? null : h.reach().maxProductionPercent());
    }

    private static Reports.Holder holder(LockItem l, long now) {
        return new Reports.Holder(l.holder(), l.action() == null ? null : l.action().name().toLowerCase(), l.image(),
                Instant.ofEpochMilli(l.acquiredAt()).toString(), Instant.ofEpochSecond(l.expiresAt()).toString(), l.expired(now),
                l.closing());
    }

    private static Reports.Holder holder(WaiterItem w, long now) {
        return new Reports.Holder(w.requestId(), w.action() == null ? null : w.action().name().toLowerCase(), w.image(),
                Instant.ofEpochMilli(w.registeredAt()).toString(), Instant.ofEpochSecond(w.expiresAt()).toString(), w.expired(now),
                false);
    }

    /**
     * The {@code cluster/service} an execution input is for: a manual input's service (or its
     * image's repository), an ECR event's repository; empty when it names none the pipeline deploys.
     */
    static Optional<String> serviceOf(JsonNode input, PipelineConfig config) {
        Function<String, Optional<String>> byRepository = repository -> config.forRepository(repository).map(Target::serviceKey);
        if (input.hasNonNull("action")) {
            if (input.hasNonNull("service")) {
                return Optional.of(input.get("service").asText());
            }
            return input.hasNonNull("image") ? byRepository.apply(repositoryOf(input.get("image").asText())) : Optional.empty();
        }
        JsonNode repository = input.path("detail").path("repository-name");
        return repository.isTextual() ? byRepository.apply(repository.asText()) : Optional.empty();
    }

    /** The repository name of an image reference ({@code [registry/]name[:tag|@digest]}). */
    static String repositoryOf(String image) {
        String rest = image;
        int at = rest.indexOf('@');
        if (at >= 0) {
            rest = rest.substring(0, at);
        }
        int slash = rest.indexOf('/');
        if (slash > 0 && (rest.substring(0, slash).contains(".") || rest.substring(0, slash).contains(":"))) {
            rest = rest.substring(slash + 1);
        }
        int colon = rest.lastIndexOf(':');
        return colon >= 0 ? rest.substring(0, colon) : rest;
    }
}
