package dev.pushdeploy.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.adapter.json.ImageIndexes;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.aws.Clients;
import dev.pushdeploy.local.bootstrap.Bootstrap;
import dev.pushdeploy.local.bootstrap.StackOutputs;
import dev.pushdeploy.local.ecr.EcrArchive;
import dev.pushdeploy.local.ecr.EcrEvents;
import dev.pushdeploy.local.ecr.EcrScans;
import dev.pushdeploy.local.ecs.EcsSimulator;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.ecs.TrafficShift;
import dev.pushdeploy.config.Strategy;
import java.util.ArrayList;
import dev.pushdeploy.local.endpoint.AwsRequest;
import dev.pushdeploy.local.endpoint.AwsResponse;
import dev.pushdeploy.local.endpoint.CallHold;
import dev.pushdeploy.local.endpoint.ExecutionScope;
import dev.pushdeploy.local.endpoint.LocalEndpoint;
import dev.pushdeploy.local.events.LocalEventBus;
import dev.pushdeploy.local.run.ExecutionFeed;
import dev.pushdeploy.local.time.SimulatedClock;
import dev.pushdeploy.local.time.TimeKeeper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import dev.pushdeploy.local.lambda.LambdaRuntime;
import dev.pushdeploy.local.moto.MotoServer;
import dev.pushdeploy.local.proc.Leftovers;
import dev.pushdeploy.local.endpoint.WriteCounter;
import dev.pushdeploy.local.run.EventRule;
import dev.pushdeploy.local.run.RunResult;
import dev.pushdeploy.ops.SecretMove;
import dev.pushdeploy.local.stack.PipelineTemplate;
import dev.pushdeploy.ops.ExecutionWatcher;
import dev.pushdeploy.ops.History;
import dev.pushdeploy.ops.StateLine;
import dev.pushdeploy.ops.StepFunctions;
import dev.pushdeploy.config.SecretSpec;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.secrets.Slots;
import dev.pushdeploy.adapter.aws.EcsTaskDefinitions;
import dev.pushdeploy.model.TaskDefinition;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The whole workflow on this machine, without Docker: moto (Step Functions executing the real
 * ASL), the local endpoint in front of it (the template's functions invoked in this JVM, the ECS
 * rollout simulator, ECR's scans), the default event bus with the template's rules, and the stack
 * bootstrapped from {@code template.yaml}.
 *
 * <p>Everything runs on one simulated clock ({@link SimulatedClock}): the simulator, the bus,
 * the handlers and moto's interpreter. The {@link TimeKeeper} skips the time in which everything
 * waits, so a 15-minute rollout takes seconds while each state transition, timeout and event
 * happens at the simulated time it would happen on AWS.
 *
 * <p>One runtime at a time per JVM, all at one address: the functions' SDK clients are built once
 * per JVM, aimed through the {@code aws.endpointUrl} system property at the JVM's endpoint, which
 * outlives each runtime (a closed runtime leaves it with no route and no emulator behind it).
 */
public final class LocalRuntime implements AutoCloseable {
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(30);
    /** How long (wall time) a run's result waits for the rules' targets to have taken its end. */
    private static final Duration ACCOUNTING_TIMEOUT = Duration.ofMinutes(2);
    /** The artifact media type ECR's push event names for a Docker image (its config). */
    private static final String DOCKER_IMAGE_CONFIG = "application/vnd.docker.container.image.v1+json";
    private static LocalEndpoint jvmEndpoint;
    private static LocalRuntime running;

    private final LocalEndpoint endpoint;
    private final MotoServer moto;
    private final Path root;
    private PipelineTemplate.LocalTemplate template;
    private final LambdaRuntime lambdas;
    private final EcsSimulator simulator;
    private final EcrScans scans;
    private final EcrArchive archive;
    /** How long (wall time) a push holds simulated time when no run starts. */
    private static final long PUSH_EVENT_MILLIS = 2_000;
    private final List<TimeKeeper.Activity> pushHolds = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final SimulatedClock clock = new SimulatedClock();
    private final TimeKeeper keeper;
    private final LocalEventBus bus;
    private final ExecutionFeed feed;
    private final boolean liveStates;
    private final Map<String, String> parameters;
    private final int services;
    private final StepFunctions sfn;
    private final Bootstrap bootstrap;
    private final Clients internal;
    private final Consumer<String> log;
    private final List<CallHold> callHolds = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<CallAnswers> callAnswers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private StackOutputs stack;

    /**
     * How to run.
     *
     * @param root        the repository root (template.yaml, statemachine/)
     * @param functionLog receives the functions' log lines (and the runtime's own complaints)
     * @param scanGate    the scan gate's severity (template parameters {@code EnableScanGate=true} and
     *                    {@code ScanGateSeverity}); null for the template's default, gate off
     * @param liveStates  whether a run reports each state as it finishes (reading the execution's
     *                    history as it grows); otherwise all at once when the run ends
     * @param parameters  template parameters other than the defaults (and the scan gate's); with
     *                    {@code SecondServiceName}, the stack has the template's second service
     * @param services    how many services the stack has: 1 as the template declares them (2 with
     *                    {@code SecondServiceName}); more, the second service's block repeated once per
     *                    extra service ({@link PipelineTemplate#expand(Path, Map, int)})
     * @param release     whether the stack starts with a first release made by hand; otherwise as on AWS after the
     *                    first {@code sam deploy} ({@link #resetWithoutRelease()}): the first push is the first release
     */
    public record Options(Path root, Consumer<String> functionLog, String scanGate, boolean liveStates,
                          Map<String, String> parameters, int services, boolean release) {
        public Options {
            parameters = Map.copyOf(parameters);
            if (services < 1) {
                throw new IllegalArgumentException("services must be at least 1, not " + services);
            }
        }

        /** One service, or two with {@code SecondServiceName}; a first release made by hand. */
        public Options(Path root, Consumer<String> functionLog, String scanGate, boolean liveStates,
                       Map<String, String> parameters) {
            this(root, functionLog, scanGate, liveStates, parameters, 1, true);
        }

        /** The same with {@code count} services. */
        public Options services(int count) {
            return new Options(root, functionLog, scanGate, liveStates, parameters, count, release);
        }

        /** The same with no release yet. */
        public Options withoutRelease() {
            return new Options(root, functionLog, scanGate, liveStates, parameters, services, false);
        }

        /** The template's parameters but the scan gate's. */
        public Options(Path root, Consumer<String> functionLog, String scanGate, boolean liveStates) {
            this(root, functionLog, scanGate, liveStates, Map.of());
        }

        /** Without the scan gate; states reported when a run ends. */
        public Options(Path root, Consumer<String> functionLog) {
            this(root, functionLog, null, false);
        }
    }

    private LocalRuntime(Options options) {
        this.root = options.root();
        this.endpoint = claimEndpoint(this);
        try {
            this.moto = MotoServer.start(endpoint.port());
            endpoint.forwardTo(moto.endpoint());
            Clients.aimSdkDefaultsAt(endpoint.uri());
            this.liveStates = options.liveStates();
            this.parameters = options.parameters();
            this.services = options.services();
            this.template = template(scanGateParameters(options.scanGate()));
            this.log = options.functionLog();
            this.keeper = new TimeKeeper(clock, moto.control(), log);
            endpoint.keepTime(keeper);
            this.lambdas = new LambdaRuntime(List.of(), log, clock);
            this.simulator = new EcsSimulator(endpoint, clock);
            simulator.hooks((function, payload) -> {
                LambdaRuntime.Result result = lambdas.invoke(function, payload.getBytes(StandardCharsets.UTF_8));
                if (result.errorType() != null) {
                    throw new IllegalStateException(result.errorType() + ": " + result.errorMessage());
                }
                return result.payload();
            });
            endpoint.route(lambdas);
            endpoint.route(simulator);
            this.scans = new EcrScans(endpoint, clock);
            endpoint.route(scans);
            this.archive = new EcrArchive(endpoint, clock);
            endpoint.route(archive);
            simulator.archive(archive::archived);
            this.sfn = new StepFunctions(new Clients(moto.endpoint()).build(SfnClient.builder()));
            this.bus = new LocalEventBus(List.of(), clock, keeper, this::deliver, log);
            simulator.events(bus::put);
            scans.events(bus::put);
            archive.events(bus::put);
            keeper.add(simulator);
            keeper.add(scans);
            keeper.add(bus);
            this.feed = new ExecutionFeed(moto.control(), sfn, keeper, bus::put, log);
            this.bootstrap = new Bootstrap(moto.endpoint(), endpoint.uri().resolve(EcsSimulator.SMOKE_PATH), lambdas);
            bootstrap.onScanStarted(scans::started);
            this.internal = new Clients(endpoint.uri());
            deploy(options.release());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Records moto and PostgreSQL, so that they are reaped should this JVM die without closing the runtime. */
    private void recordChildren() {
        List<Leftovers.Child> children = new java.util.ArrayList<>();
        children.add(new Leftovers.Child(moto.pid(), moto.directory().toString(), moto.directory()));
        bootstrap.database().ifPresent(db -> children.add(new Leftovers.Child(db.pid(), db.dataDirectory().toString(), db.dataDirectory())));
        Leftovers.record(root, children);
    }

    public static LocalRuntime start(Options options) {
        if (!Files.isRegularFile(options.root().resolve("template.yaml"))) {
            throw new IllegalArgumentException("no template.yaml in " + options.root().toAbsolutePath());
        }
        return new LocalRuntime(options);
    }

    /** Empties the emulator and bootstraps the stack again: a fresh world, same processes. */
    public synchronized void reset() {
        reset(true);
    }

    /**
     * Like {@link #reset()}, but no release is made: every service runs the stack's bootstrap revision with no task
     * (images {@value Bootstrap#INITIAL_TAG} and {@value Bootstrap#NEXT_TAG} pushed, neither deployed), as on AWS
     * after the first {@code sam deploy}; the first push of a matching tag is the first release.
     */
    public synchronized void resetWithoutRelease() {
        reset(false);
    }

    /** Like {@link #resetWithoutRelease()}, with the template evaluated with {@code parameters} over its defaults. */
    public synchronized void resetWithoutRelease(Map<String, String> parameters) {
        template = template(parameters);
        reset(false);
    }

    private void reset(boolean release) {
        quiesce();
        moto.reset();
        feed.forget();
        simulator.reset();
        scans.reset();
        archive.reset();
        releasePushHolds();
        lambdas.reset();
        bus.reset();
        endpoint.writes().reset();
        deploy(release);
    }

    /**
     * Ends what the world about to be wiped still runs, so that none of it lands in the next one: no rule hears of it
     * any more, its running executions are stopped, its held steps let go and its steps in flight waited for (a minute
     * at most). A run a failed test left going once deployed into the next test's stack.
     */
    private void quiesce() {
        bus.rules(List.of());
        for (String machine : sfn.stateMachines()) {
            for (var execution : sfn.executions(machine, ExecutionStatus.RUNNING, 1000)) {
                try {
                    sfn.stopExecution(execution.executionArn(), "pushdeploy.Reset", "the local runtime was reset");
                } catch (ExecutionDoesNotExistException ended) {
                    // gone already
                }
            }
        }
        callHolds.forEach(CallHold::release);
        callHolds.clear();
        callAnswers.forEach(CallAnswers::close);
        callAnswers.clear();
        try {
            if (!lambdas.drain(Duration.ofMinutes(1))) {
                log.accept("local runtime: steps of the last world still ran a minute after its reset");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while resetting", e);
        }
    }

    /**
     * Bootstraps the stack; its functions serve invocations, its enabled rules are the bus's, the
     * simulator knows each service's strategy, and moto and PostgreSQL are recorded.
     */
    private void deploy(boolean release) {
        stack = bootstrap.create(template, release);
        markUnpullableImages();
        lambdas.deploy(stack.functions());
        bus.rules(stack.rules());
        configureStrategies();
        recordChildren();
    }

    /**
     * Tells the simulator which images of the services' stack revisions no repository holds (a bootstrap revision's
     * tag, never pushed): as on ECS, their tasks cannot start.
     */
    private void markUnpullableImages() {
        EcsClient ecs = internal.build(EcsClient.builder());
        software.amazon.awssdk.services.ecr.EcrClient ecr = internal.build(software.amazon.awssdk.services.ecr.EcrClient.builder());
        for (StackOutputs.Service service : stack.services()) {
            String image = ecs.describeTaskDefinition(r -> r.taskDefinition(service.initialTaskDefinition())).taskDefinition()
                    .containerDefinitions().stream().filter(c -> c.name().equals(service.target().container())).findFirst()
                    .map(c -> c.image()).orElse(null);
            int colon = image == null ? -1 : image.lastIndexOf(':');
            if (image == null || TaskDefinition.Container.released(image) || colon < image.lastIndexOf('/')) {
                continue;
            }
            String tag = image.substring(colon + 1);
            try {
                ecr.describeImages(r -> r.repositoryName(service.target().repository()).imageIds(i -> i.imageTag(tag)));
            } catch (software.amazon.awssdk.services.ecr.model.ImageNotFoundException missing) {
                simulator.unpullable(image);
            }
        }
    }

    /** Like {@link #reset()}, with the scan gate set anew (as {@link Options#scanGate()}). */
    public synchronized void reset(String scanGate) {
        reset(scanGateParameters(scanGate));
    }

    /**
     * Like {@link #reset()}, with the template evaluated with {@code parameters} over its defaults:
     * the stack, its functions and its rules as the template has them then (with
     * {@code SecondServiceName}, a second service and the release's function and state machine).
     */
    public synchronized void reset(Map<String, String> parameters) {
        template = template(parameters);
        reset();
    }

    public StackOutputs stack() {
        return stack;
    }

    /** The stack as the next {@code sam deploy} would make it (the release parameters read now); nothing is deployed. */
    public dev.pushdeploy.local.template.Deployment nextStackDeploy() {
        return bootstrap.resolve(template);
    }

    public EcsSimulator simulator() {
        return simulator;
    }

    /** ECR's image scans: how long they take, the events they send. */
    public EcrScans scans() {
        return scans;
    }

    public LambdaRuntime lambdas() {
        return lambdas;
    }

    /** The AWS endpoint of this runtime: moto behind the local endpoint (the functions, the simulated ECS). */
    public java.net.URI endpoint() {
        return endpoint.uri();
    }

    /** The mutating calls the endpoint accepted. */
    public WriteCounter writes() {
        return endpoint.writes();
    }

    /**
     * Delivers an EventBridge event as the template's rules would: when one matches, the image an
     * ECR push reports is pushed to the emulator and the state machine starts with the event as
     * input, under a generated name (as EventBridge starts it). Returns the execution's ARN, or empty
     * when no rule matches. Nothing waits for the execution.
     */
    public Optional<String> startFromEvent(String event) {
        JsonNode parsed = Json.tree(event);
        boolean startsWorkflow = EventRule.isEvent(parsed) && bus.matching(event).stream()
                .anyMatch(rule -> bus.rule(rule).targets().contains(stack.stateMachineArn()));
        if (!startsWorkflow) {
            return Optional.empty();
        }
        pushReportedImage(parsed);
        String arn = sfn.startExecution(stack.stateMachineArn(), UUID.randomUUID().toString(), event);
        releasePushHolds();
        return Optional.of(arn);
    }

    /** The default event bus: the template's rules, deliveries on simulated time. */
    public LocalEventBus bus() {
        return bus;
    }

    /** The emulator's endpoint (Step Functions' history is read there). */
    public java.net.URI motoEndpoint() {
        return moto.endpoint();
    }

    /**
     * What keeps simulated time from skipping once {@code wait} of wall time has passed (an interpreter thread
     * counted as running, a status change not taken); empty when nothing does.
     */
    public Optional<String> clockHolders(Duration wait) {
        return moto.control().holders(wait);
    }

    /** StopExecution, as an operator would. */
    public void stop(String executionArn) {
        sfn.stopExecution(executionArn, null, "stopped by an operator");
    }

    /** The ARN of the execution named {@code name} of the stack's state machine. */
    public String executionArn(String name) {
        return stack.stateMachineArn().replace(":stateMachine:", ":execution:") + ":" + name;
    }

    /**
     * Prepare's event for a raw input, as {@code invoke PrepareFunction} needs it: Prepare reads the
     * input from the execution (DescribeExecution), so the input is given to a parked execution — of
     * a state machine of one long Wait, outside the stack, whose end no rule of the stack matches.
     */
    public String parkedExecution(String input) {
        String name = "invoke-" + UUID.randomUUID();
        String machine = sfn.createStateMachine(name,
                "{\"StartAt\":\"Parked\",\"States\":{\"Parked\":{\"Type\":\"Wait\",\"Seconds\":86400,\"End\":true}}}",
                "arn:aws:iam::" + PipelineTemplate.ACCOUNT + ":role/" + name);
        String arn = sfn.startExecution(machine, name, input);
        double startDate = sfn.describeExecution(arn).path("startDate").asDouble();
        java.time.Instant started = java.time.Instant.ofEpochMilli(Math.round(startDate * 1000));
        return Json.object().put("executionArn", arn).put("executionName", name).put("startTime", started.toString()).toString();
    }

    /**
     * How the end of an execution reached the rules' targets (the reconciler): the delivery of its
     * "Execution Status Change" event to each target, once every target has answered (or failed for
     * good), none when the event matched no rule; empty when the end was not published or the
     * deliveries are not done within {@code wait} of wall time.
     */
    public Optional<Accounting> accounting(String executionArn, Duration wait) {
        return accounting(executionArn, 0, wait);
    }

    /**
     * As {@link #accounting(String, Duration)}, for the execution's {@code end}-th end (0 for its first): a redriven
     * execution (RedriveExecution) ends once more each time it is redriven.
     */
    public Optional<Accounting> accounting(String executionArn, int end, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Optional<Accounting> done = accountingNow(executionArn, end);
            if (done.isPresent() || System.nanoTime() > deadline) {
                return done;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    /**
     * The end of an execution as the rules' targets took it.
     *
     * @param stoppedAt  when the execution ended (simulated epoch millis, the event's {@code stopDate})
     * @param deliveries one per target of each matching rule
     */
    public record Accounting(String status, long stoppedAt, List<LocalEventBus.Delivery> deliveries) {
        /** From the execution's end to the last target's answer, on the simulated clock. */
        public Duration latency() {
            return Duration.ofMillis(deliveries.stream().mapToLong(LocalEventBus.Delivery::deliveredAt).max().orElse(stoppedAt) - stoppedAt);
        }

        public boolean failed() {
            return deliveries.stream().anyMatch(LocalEventBus.Delivery::failed);
        }
    }

    private Optional<Accounting> accountingNow(String executionArn, int end) {
        int ends = 0;
        for (LocalEventBus.Published published : bus.published()) {
            JsonNode detail = published.event().path("detail");
            String status = detail.path("status").asText();
            if (!ExecutionFeed.DETAIL_TYPE.equals(published.event().path("detail-type").asText())
                    || !executionArn.equals(detail.path("executionArn").asText()) || status.equals("RUNNING")
                    || ends++ < end) {
                continue;
            }
            if (published.rules().isEmpty()) {
                return Optional.of(new Accounting(status, detail.path("stopDate").asLong(), List.of()));
            }
            String id = published.event().path("id").asText();
            int targets = published.rules().stream().mapToInt(rule -> bus.rule(rule).targets().size()).sum();
            List<LocalEventBus.Delivery> deliveries = bus.delivered().stream().filter(d -> d.eventId().equals(id)).toList();
            return deliveries.size() < targets ? Optional.empty()
                    : Optional.of(new Accounting(status, detail.path("stopDate").asLong(), deliveries));
        }
        return Optional.empty();
    }

    /**
     * Holds simulated time to the wall clock's pace (nothing is skipped) until the handle is closed:
     * a test can then act while the workflow is in a Wait state, as an operator would.
     */
    public TimeKeeper.Activity holdTime() {
        return keeper.busy();
    }

    /** Holds the first AWS request a function makes that {@code which} matches, before it goes on (see {@link CallHold}). */
    public CallHold holdCall(Predicate<AwsRequest> which) {
        CallHold hold = new CallHold(which);
        endpoint.routeFirst(hold);
        callHolds.add(hold);
        return hold;
    }

    /**
     * Answers the AWS requests a function makes that {@code which} matches with {@code answer} instead of serving them
     * (a throttle on one function's calls, say), until the handle is closed or the runtime is reset.
     */
    public CallAnswers answerCalls(Predicate<AwsRequest> which, AwsResponse answer) {
        AtomicBoolean on = new AtomicBoolean(true);
        endpoint.routeFirst(request -> on.get() && request.header(ExecutionScope.INTERNAL_HEADER) == null && which.test(request)
                ? Optional.of(answer) : Optional.empty());
        CallAnswers off = () -> on.set(false);
        callAnswers.add(off);
        return off;
    }

    /** Calls answered in the runtime's stead ({@link #answerCalls}), until closed. */
    public interface CallAnswers extends AutoCloseable {
        @Override
        void close();
    }

    /** The one clock of the runtime (simulated time). */
    public SimulatedClock clock() {
        return clock;
    }

    /** SDK clients aimed at the local endpoint, as the runtime's own (never throttled, never counted). */
    public Clients clients() {
        return internal;
    }

    /**
     * Pushes a new image to a repository; returns its digest. Until a run starts, or {@link #PUSH_EVENT_MILLIS} ms of
     * wall time have passed, simulated time is not skipped: on AWS the push's event starts the run within a second,
     * while the image's scan (and anything else the push set going) has only just begun.
     */
    public String pushImage(String repository, String tag) {
        holdForPush();
        return bootstrap.pushImage(repository, tag, null);
    }

    /**
     * Pushes a new multi-platform image (each platform's image, then the index naming them, tagged); returns the
     * index's digest. Holds simulated time as {@link #pushImage} does.
     */
    public String pushIndex(String repository, String tag) {
        holdForPush();
        return bootstrap.pushIndex(repository, tag, null);
    }

    /** Simulated time is not skipped until a run starts or {@link #PUSH_EVENT_MILLIS} ms of wall time pass. */
    private void holdForPush() {
        pushHolds.add(keeper.busyFor(Duration.ofMillis(PUSH_EVENT_MILLIS)));
    }

    /** A run started (or the world was reset): the pushes before it no longer hold time. */
    private void releasePushHolds() {
        pushHolds.forEach(TimeKeeper.Activity::close);
        pushHolds.clear();
    }

    /** An ECR push event for an image, shaped as EventBridge delivers it. */
    public static ObjectNode ecrPushEvent(String repository, String tag, String digest) {
        return ecrPushEvent(repository, tag, digest, false);
    }

    /** An ECR push event for an image or, with {@code index}, a multi-platform image's OCI index. */
    public static ObjectNode ecrPushEvent(String repository, String tag, String digest, boolean index) {
        return ecrPushEvent(repository, tag, digest, index, java.time.Instant.now());
    }

    private static ObjectNode ecrPushEvent(String repository, String tag, String digest, boolean index, java.time.Instant at) {
        return EcrEvents.push(PipelineTemplate.ACCOUNT, PipelineTemplate.REGION, repository, tag, digest,
                index ? ImageIndexes.OCI_INDEX : ImageIndexes.DOCKER_MANIFEST, index ? ImageIndexes.OCI_INDEX : DOCKER_IMAGE_CONFIG, at);
    }

    /**
     * ECR's event for a push made now on this runtime's clock (simulated time, as the images' push times): an image
     * or, with {@code index}, a multi-platform image's OCI index. (The static {@link #ecrPushEvent} reads the wall clock,
     * behind simulated time once a run skipped ahead; a push of an image already there, a retag, is placed at its
     * event's time.)
     */
    public ObjectNode pushEvent(String repository, String tag, String digest, boolean index) {
        return ecrPushEvent(repository, tag, digest, index, clock.instant());
    }

    /**
     * Runs one input through the workflow. An EventBridge event first goes through the template's
     * rule (no match: NOT_MATCHED, nothing starts) and, for an ECR push, its image is pushed to the
     * emulator (the push the event reports); a manual input starts an execution directly.
     *
     * @param scenario how ECS rolls out new revisions from now on
     * @param name     the execution name; null for a generated one (as EventBridge does)
     * @param onState  receives one line per finished state, live
     */
    public RunResult run(String input, Scenario scenario, String name, Consumer<StateLine> onState) {
        return start(input, scenario, name, onState).await();
    }

    /** Like {@link #run}, without waiting: several executions can run at once. */
    public Run start(String input, Scenario scenario, String name, Consumer<StateLine> onState) {
        long started = System.nanoTime();
        JsonNode parsed = Json.tree(input);
        if (EventRule.isEvent(parsed)) {
            boolean startsWorkflow = bus.matching(input).stream()
                    .anyMatch(rule -> bus.rule(rule).targets().contains(stack.stateMachineArn()));
            if (!startsWorkflow) {
                RunResult notMatched = new RunResult(RunResult.NOT_MATCHED,
                        "the event matches no rule of template.yaml that starts the state machine",
                        null, null, null, null, List.of(), seconds(started), null, Json.mapper().createArrayNode(), List.of(), null);
                return () -> notMatched;
            }
            pushReportedImage(parsed);
        }
        simulator.scenario(scenario);
        String execution = name != null ? name : UUID.randomUUID().toString();
        endpoint.writes().executionStarted(execution);
        String arn;
        try {
            arn = sfn.startExecution(stack.stateMachineArn(), execution, input);
            releasePushHolds();
        } catch (RuntimeException e) {
            endpoint.writes().executionEnded(execution);
            throw e;
        }
        return () -> {
            try {
                JsonNode description = new ExecutionWatcher(sfn, arn, onState).await(this::ended, liveStates, RUN_TIMEOUT);
                accounting(arn, ACCOUNTING_TIMEOUT);
                ArrayNode history = sfn.history(arn);
                return result(description, history, endpoint.writes().writes(execution), seconds(started));
            } finally {
                endpoint.writes().executionEnded(execution);
            }
        };
    }

    /**
     * Starts a release (the template's release state machine, with a second service) with a
     * manifest, named {@code name}, and follows it to its end; each service's executions run as
     * the release starts them.
     */
    public Release release(String name, String manifest, Scenario scenario) {
        if (stack.releaseStateMachineArn() == null) {
            throw new IllegalStateException("this stack has no release state machine (template parameter SecondServiceName)");
        }
        simulator.scenario(scenario);
        endpoint.writes().executionStarted(name);
        try {
            String arn = sfn.startExecution(stack.releaseStateMachineArn(), name, manifest);
            releasePushHolds();
            JsonNode description = new ExecutionWatcher(sfn, arn, line -> { }).await(this::ended, false, RUN_TIMEOUT);
            return new Release(description, endpoint.writes().writes(name));
        } finally {
            endpoint.writes().executionEnded(name);
        }
    }

    /** Whether the execution ends within {@code wait}, as the launcher's change log tells. */
    private boolean ended(String executionArn, Duration wait) throws InterruptedException {
        return feed.awaitEnd(executionArn, wait).isPresent();
    }

    /**
     * A release that ended.
     *
     * @param description its execution, as DescribeExecution answers
     * @param writes      the mutating calls attributed to the release execution itself (not to the executions it started)
     */
    public record Release(JsonNode description, List<String> writes) {
        public Release {
            writes = List.copyOf(writes);
        }
    }

    /** A started run. */
    @FunctionalInterface
    public interface Run {
        /** Follows the execution to its end, and until the rules' targets (the reconciler) have taken that end. */
        RunResult await();
    }

    /** The live task definition of a service: the PRIMARY deployment's, as the simulator runs it. */
    public String liveTaskDefinition(String cluster, String service) {
        EcsClient ecs = internal.build(EcsClient.builder());
        return ecs.describeServices(r -> r.cluster(cluster).services(service)).services().get(0).taskDefinition();
    }

    /** The notifications the topic delivered since the last call (read from the subscribed queue). */
    public List<String> notifications() {
        SqsClient sqs = internal.build(SqsClient.builder());
        List<String> messages = new java.util.ArrayList<>();
        while (true) {
            var batch = sqs.receiveMessage(r -> r.queueUrl(stack.notificationsQueueUrl()).maxNumberOfMessages(10).waitTimeSeconds(0))
                    .messages();
            if (batch.isEmpty()) {
                return messages;
            }
            for (var m : batch) {
                messages.add(m.body());
                sqs.deleteMessage(r -> r.queueUrl(stack.notificationsQueueUrl()).receiptHandle(m.receiptHandle()));
            }
        }
    }

    /** Every SSM parameter with its decrypted value (for {@code --dump}; secret values included, on purpose). */
    public ArrayNode parameters() {
        SsmClient ssm = internal.build(SsmClient.builder());
        ArrayNode out = Json.mapper().createArrayNode();
        String token = null;
        do {
            String page = token;
            var response = ssm.getParametersByPath(r -> r.path("/").recursive(true).withDecryption(true).nextToken(page));
            response.parameters().forEach(p -> out.addObject().put("name", p.name()).put("type", p.typeAsString())
                    .put("version", p.version()).put("value", p.value()));
            token = response.nextToken();
        } while (token != null);
        return out;
    }

    /**
     * Pushes the image an ECR push event reports (the event itself, or a state document's
     * {@code input}) to the emulator, so the functions find it; other inputs are left alone.
     */
    public void pushImagesOf(String input) {
        JsonNode parsed = Json.tree(input);
        pushReportedImage(parsed);
        pushReportedImage(parsed.path("input"));
    }

    private void pushReportedImage(JsonNode event) {
        JsonNode detail = event.path("detail");
        if ("aws.ecr".equals(event.path("source").asText()) && "PUSH".equals(detail.path("action-type").asText())
                && detail.hasNonNull("repository-name") && detail.hasNonNull("image-digest")) {
            String repository = detail.get("repository-name").asText();
            boolean known = stack.services().stream().anyMatch(s -> s.target().repository().equals(repository));
            if (!known) {
                return;
            }
            holdForPush();
            String tag = detail.path("image-tag").asText(null);
            String digest = detail.get("image-digest").asText();
            if (ImageIndexes.isIndex(detail.path("manifest-media-type").asText(null), null)) {
                bootstrap.pushIndex(repository, tag, digest);
            } else {
                bootstrap.pushImage(repository, tag, digest);
            }
        }
    }

    private RunResult result(JsonNode description, ArrayNode history, List<String> writes, double seconds) {
        String outcome = History.outcome(description);
        String reason = History.reason(description);
        JsonNode request = History.lastRequest(history).orElse(Json.object());
        String cluster = request.path("cluster").asText(null);
        String service = request.path("service").asText(null);
        String live = cluster == null || service == null ? null : liveTaskDefinition(cluster, service);
        String previous = request.path("previousTaskDefinition").asText(null);
        List<SecretMove> secrets = List.of();
        Optional<Target> target = cluster == null || service == null ? Optional.empty() : stack.config().forService(cluster, service);
        if (target.isPresent()) {
            secrets = SecretMove.of(history, slots(target.get(), previous), live == null ? null : slots(target.get(), live));
        }
        return new RunResult(outcome, reason, cluster == null ? null : cluster + "/" + service,
                request.path("image").asText(null), live, previous,
                writes, seconds, description.path("executionArn").asText(), history, secrets, History.rollout(history).orElse(null));
    }

    /**
     * Secret name → the slot a revision's container references, for the target's managed secrets; none for a revision ECS
     * no longer describes (deleted).
     */
    private Map<String, String> slots(Target target, String taskDefinition) {
        Map<String, String> slots = new HashMap<>();
        if (taskDefinition == null) {
            return slots;
        }
        Map<String, String> secrets = new EcsTaskDefinitions(internal.build(EcsClient.builder())).find(taskDefinition)
                .flatMap(td -> td.container(target.container())).map(TaskDefinition.Container::secrets).orElse(Map.of());
        for (SecretSpec spec : target.secrets()) {
            Slots.live(spec, secrets).ifPresent(slot -> slots.put(spec.name(), slot));
        }
        return slots;
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    private static Map<String, String> scanGateParameters(String scanGate) {
        return scanGate == null ? Map.of() : Map.of("EnableScanGate", "true", "ScanGateSeverity", scanGate);
    }

    /**
     * Tells the simulator each service's strategy (moto keeps no deploymentConfiguration): for
     * BLUE_GREEN, CANARY and LINEAR the traffic settings and alarms of the configuration, the
     * alternate target group the bootstrap made, and the lifecycle hook the template's service names.
     */
    private void configureStrategies() {
        simulator.alarms(stack.services().stream().flatMap(s -> s.target().health().alarms().stream()).distinct().toList());
        for (StackOutputs.Service service : stack.services()) {
            Target target = service.target();
            Strategy strategy = target.strategy();
            if (!strategy.shiftsTraffic()) {
                simulator.trafficShift(target.cluster(), target.service(), null);
                continue;
            }
            String function = null;
            List<String> stages = new ArrayList<>();
            for (StackOutputs.Hook hook : service.hooks()) {
                function = LambdaRuntime.functionName(hook.targetArn());
                stages.addAll(hook.stages());
            }
            Strategy.Shift shift = strategy.shift();
            simulator.trafficShift(target.cluster(), target.service(), new TrafficShift(strategy.type().name(), shift.canaryPercent(),
                    shift.canaryBakeMinutes(), shift.stepPercent(), shift.stepBakeMinutes(), shift.bakeMinutes(),
                    service.alternateTargetGroupArn(), function, stages, target.health().alarms(), strategy.testHeader(),
                    strategy.testHeaderValue()));
        }
    }

    /** The template expanded with the runtime's parameters, then {@code overrides}. */
    private PipelineTemplate.LocalTemplate template(Map<String, String> overrides) {
        Map<String, String> evaluated = new HashMap<>(parameters);
        evaluated.putAll(overrides);
        return PipelineTemplate.expand(root.resolve("template.yaml"), evaluated, services);
    }

    /**
     * Delivers an event of the bus to one target, as EventBridge does: a state machine (answers the
     * execution ARN), a function (asynchronous invoke; answers its output), or a queue (answers the
     * message id).
     */
    private String deliver(String targetArn, String event) {
        String[] arn = targetArn.split(":");
        return switch (arn.length > 2 ? arn[2] : "") {
            case "states" -> sfn.startExecution(targetArn, UUID.randomUUID().toString(), event);
            case "lambda" -> {
                LambdaRuntime.Result result = lambdas.invoke(LambdaRuntime.functionName(targetArn),
                        event.getBytes(StandardCharsets.UTF_8));
                if (result.failed()) {
                    throw new IllegalStateException(result.errorType() + ": " + result.errorMessage());
                }
                yield result.payload();
            }
            case "sqs" -> {
                SqsClient sqs = internal.build(SqsClient.builder());
                String queueUrl = sqs.getQueueUrl(r -> r.queueName(arn[arn.length - 1])).queueUrl();
                yield sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(event)).messageId();
            }
            default -> throw new IllegalStateException("the local event bus cannot deliver to " + targetArn);
        };
    }

    /** This JVM's endpoint, for {@code runtime} alone until it closes. */
    private static synchronized LocalEndpoint claimEndpoint(LocalRuntime runtime) {
        if (running != null) {
            throw new IllegalStateException("a local runtime is already running in this JVM; close it before starting another"
                    + " (the functions' SDK clients are built once per JVM, so its runtimes run one at a time)");
        }
        if (jvmEndpoint == null) {
            jvmEndpoint = LocalEndpoint.start();
        }
        running = runtime;
        return jvmEndpoint;
    }

    private static synchronized void releaseEndpoint(LocalRuntime runtime) {
        if (running == runtime) {
            jvmEndpoint.clear();
            running = null;
        }
    }

    @Override
    public void close() {
        try {
            if (feed != null) {
                feed.close();
            }
            if (keeper != null) {
                keeper.close();
            }
            if (bootstrap != null) {
                bootstrap.close();
            }
        } finally {
            if (moto != null) {
                moto.close();
            }
            releaseEndpoint(this);
            Leftovers.forget(root);
        }
    }
}
