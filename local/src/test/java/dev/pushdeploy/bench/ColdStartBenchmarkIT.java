package dev.pushdeploy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.aws.DynamoLedger;
import dev.pushdeploy.adapter.aws.DynamoScanWatches;
import dev.pushdeploy.request.ScanWatch;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.ledger.LockService;
import dev.pushdeploy.model.DeployRequest;
import java.time.Clock;
import dev.pushdeploy.local.endpoint.AwsResponse;
import dev.pushdeploy.local.template.CfnTemplate;
import dev.pushdeploy.rollout.RolloutFixtures;
import dev.pushdeploy.template.PrimingDenials;
import dev.pushdeploy.testing.DeploymentPackage;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.FakeRuntimeApi;
import dev.pushdeploy.testing.LambdaCpu;
import dev.pushdeploy.testing.RuntimeClient;
import dev.pushdeploy.testing.SimulatedEcs;
import dev.pushdeploy.testing.World;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cold starts: each handler's first invocation in a fresh JVM (class loading, client
 * construction, the first request against the emulator behind the local runtime's ECS simulator, which answers
 * deployments as ECS does: {@link Front}) next to the floor's — a handler with the
 * same wiring that makes one SDK call ({@link OneSdkCallHandler}) — measured in the same run and
 * printed as ratios, so machine noise cancels out. Four times: cold (from JVM start, no SnapStart), cold under Lambda's
 * runtime client ("client": from starting the process to the answer reaching the Runtime API, the handler loaded by
 * {@link RuntimeClient} from a task root, its variables in the environment, as Lambda's java21 runtime starts a function), the
 * same at Lambda's CPU allocation for the function's MemorySize ("lambda": {@link LambdaCpu}, one vCPU until the function asks
 * for its first event, then its share; {@code -Dbench.lambdaCpu=false} leaves it out where no cgroup may be written) and
 * primed (after the handler's SnapStart priming ran, the first invocation alone; in both primed runs the front
 * denies what the handler's role denies, as AWS would); and the primed
 * first invocation against the handler's own second one ("left"): 1.0 would mean priming left
 * nothing of the first request's cost; and the classes that primed first invocation still loaded ("classes"), which
 * noise does not move: what priming did not reach; and the SDK calls of the handler's cold first invocation ("calls"; the
 * floor's must be one). Rounds alternate floor and handler and take the median
 * ({@code -Dbench.rounds=N}, default 1 in the test suite; {@code -Dbench.only=A,B} measures only the handlers
 * named; {@code -Dbench.echo=true} prints what each measured JVM printed, the handler's log among it; {@code -Dbench.java=PATH} starts every measured JVM with another java launcher; {@code -Dbench.jvm="..."} adds JVM options to every measured JVM, {@code {name}} standing for its class-log
 * file's name, e.g. {@code -XX:+PerfDataSaveToFile -XX:PerfDataSaveFile=target/bench/{name}.hsp} to read where the time
 * went with {@code jstat -snap file://...}); the last lines are the median ratio over the handlers and the JVM options. Every JVM runs with the
 * function's {@code JAVA_TOOL_OPTIONS} from template.yaml, as Lambda starts it, the floor's with the handler's, and
 * loads classes as Lambda loads a function's: from functions/'s classes and its lib/ jars alone, in lib/'s order, with
 * nothing else on its classpath but the harness's own classes.
 * Results also go to {@code target/bench/cold-start.txt}. Times are printed, not asserted.
 *
 * <p>It also proves the lean-jar rule where it matters, at run time: no Netty or Apache HTTP
 * client class (4 or 5) and no Jackson databind class is loaded by any handler, cold or primed
 * (the functions bind JSON with jackson-jr). That priming sends reads only is {@link PrimingIT}'s, through the
 * same front.
 */
@ExtendWith(EmulatorExtension.class)
class ColdStartBenchmarkIT {
    static final String FLOOR = OneSdkCallHandler.class.getName();
    private static final String LAMBDA_CLASSPATH = lambdaClasspath();
    /** The variable whose options Lambda starts a function's JVM with. */
    private static final String JAVA_TOOL_OPTIONS = "JAVA_TOOL_OPTIONS";
    /**
     * A handler, its sample event, the state the case gives before the runs and the event as sent: the sample, or what
     * {@code sent} makes of it once the state is given (it may name what only then exists).
     */
    record Case(String handler, String event, Consumer<World> given, BiFunction<World, String, String> sent) {
        Case(String handler, String event, Consumer<World> given) {
            this(handler, event, given, (world, sample) -> sample);
        }
    }

    static final Consumer<World> PUSHED = world -> world.pushImage("v1.1.0");
    /** The execution prepare.json names, started with the sample push as its input. */
    static final Consumer<World> STARTED = PUSHED.andThen(world -> {
        try {
            world.startExecution("push-web-v1-1-0", Files.readString(Path.of("..", "events", "ecr-push.json")));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    });
    static final Consumer<World> NOTHING = world -> { };
    static final Consumer<World> REVISION_2 = world -> world.registerRevision2("v1.0.1");
    static final Consumer<World> ON_REVISION_2 = REVISION_2.andThen(world -> world.ecs.updateService(
            r -> r.cluster(World.CLUSTER).service(World.SERVICE).taskDefinition(RolloutFixtures.REV2_ARN)));

    /** The request of a sample event holds the service's lock, as its run would before the step (steps move the service only then). */
    static Consumer<World> locked(String event) {
        return world -> {
            try {
                DeployRequest request = Json.convert(Json.tree(Files.readString(Path.of("..", "events", event))).path("request"),
                        DeployRequest.class);
                new LockService(new DynamoLedger(world.dynamo, World.TABLE), arn -> Optional.empty(), token -> false, Clock.systemUTC())
                        .acquire(request);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }

    /**
     * The execution reconcile.json names, stopped in CheckDeployment with check-deployment.json's state document
     * (its request holding the lock, the service on its revision): the reconciler records it, rolls the service
     * back and announces it.
     */
    static final Consumer<World> STOPPED_IN_CHECK = ON_REVISION_2.andThen(locked("check-deployment.json")).andThen(world -> {
        try {
            String arn = world.startExecution("push-web-v1-1-0", Files.readString(Path.of("..", "events", "check-deployment.json")),
                    "CheckDeployment");
            world.sfn.stopExecution(r -> r.executionArn(arn));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    });

    /** The image pushed and a workflow waiting for its scan (events/scan-gate.json's request). */
    static final Consumer<World> SCAN_WATCHED = PUSHED.andThen(world -> {
        try {
            DeployRequest request = Json.convert(Json.tree(Files.readString(Path.of("..", "events", "scan-gate.json"))).path("request"),
                    DeployRequest.class);
            new DynamoScanWatches(() -> world.dynamo, World.TABLE).register(new ScanWatch("a-task-token", request, Long.MAX_VALUE / 1000, 0));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    });

    /** The service moving to revision 2 by blue/green, test traffic through the simulator's test listener. */
    static final Consumer<World> SHIFTING_TRAFFIC = World::shiftTrafficToRevision2;

    static final List<Case> CASES = List.of(
            new Case("PrepareHandler", "prepare.json", STARTED),
            new Case("ScanGateHandler", "scan-gate.json", PUSHED),
            new Case("LockHandler", "lock.json", PUSHED),
            new Case("RotateSecretsHandler", "rotate-secrets.json", NOTHING),
            new Case("RegisterTaskDefinitionHandler", "register-task-definition.json", NOTHING),
            new Case("StartDeploymentHandler", "start-deployment.json", REVISION_2.andThen(locked("start-deployment.json"))),
            new Case("CheckDeploymentHandler", "check-deployment.json", ON_REVISION_2.andThen(locked("check-deployment.json"))),
            new Case("RollbackHandler", "rollback.json", ON_REVISION_2.andThen(locked("rollback.json"))),
            new Case("FinalizeHandler", "finalize.json", PUSHED.andThen(locked("finalize.json"))),
            new Case("RolloutEventHandler", "ecs-deployment-completed.json", ON_REVISION_2),
            new Case("ScanEventHandler", "ecr-image-scan.json", SCAN_WATCHED),
            new Case("LifecycleHookHandler", "lifecycle-hook.json", SHIFTING_TRAFFIC, World::hookPayload),
            new Case("ReconcileHandler", "reconcile.json", STOPPED_IN_CHECK),
            new Case("PlanReleaseHandler", "plan-release.json", PUSHED),
            new Case("ReleaseParametersHandler", "release-parameters.json", NOTHING));

    /** template.yaml's JAVA_TOOL_OPTIONS of the function whose Handler is {@code handler} (empty when it sets none). */
    static String javaToolOptions(String handler) {
        return functionProperties(handler).path("Environment").path("Variables").path(JAVA_TOOL_OPTIONS).asText("");
    }

    /** The properties of template.yaml's function whose handler is {@code handler}. */
    private static JsonNode functionProperties(String handler) {
        return template.resources("AWS::Lambda::Function").values().stream()
                .map(function -> function.path("Properties"))
                .filter(properties -> properties.path("Handler").asText().startsWith("dev.pushdeploy.handler." + handler + "::"))
                .findFirst().orElseThrow(() -> new AssertionError("template.yaml has no function with the handler " + handler));
    }

    /** Whether the lambda columns are measured: they need a cgroup this user may write ({@link LambdaCpu}). */
    private static final boolean LAMBDA_CPU = Boolean.parseBoolean(System.getProperty("bench.lambdaCpu", "true"));

    /** The MemorySize template.yaml gives the function whose handler is {@code handler}. */
    private static int memorySize(String handler) {
        return functionProperties(handler).path("MemorySize").asInt(128);
    }

    /** Where release-parameters.json's ResponseURL points: CloudFormation's presigned URL, taking the custom resource's answer. */
    private static HttpServer cloudFormation;

    /** template.yaml as SAM expands it: the functions' JVM options. */
    private static CfnTemplate template;

    @BeforeAll
    static void templateExpanded() {
        template = CfnTemplate.expand(Path.of("..", "template.yaml"), Emulator.REGION, Emulator.ACCOUNT, Map.of());
    }

    @BeforeAll
    static void cloudFormationTakesAnswers() throws IOException {
        cloudFormation = HttpServer.create(new InetSocketAddress("127.0.0.1", 3001), 0);
        cloudFormation.createContext("/cloudformation-response", exchange -> {
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        cloudFormation.start();
    }

    @AfterAll
    static void cloudFormationStops() {
        cloudFormation.stop(0);
    }

    @Test
    void firstInvocationOfEachHandlerAgainstTheOneSdkCallFloor(Emulator emulator) throws Exception {
        int rounds = Integer.getInteger("bench.rounds", 1);
        Path out = Files.createDirectories(Path.of("target", "bench"));
        List<String> report = new ArrayList<>();
        report.add(String.format(Locale.ROOT, "%-32s %9s %9s %7s %8s %8s %7s %9s %8s %7s %9s %8s %7s %11s %11s %7s %8s %7s %8s %6s",
                "handler", "cold ms", "floor ms", "ratio", "cpu ms", "floor", "ratio", "client ms", "floor", "ratio", "lambda ms", "floor",
                "ratio", "primed ms", "floor ms", "ratio", "2nd ms", "left", "classes", "calls"));
        List<Double> cpuRatios = new ArrayList<>();
        List<Double> coldRatios = new ArrayList<>();
        List<Double> primedRatios = new ArrayList<>();
        List<Double> leftRatios = new ArrayList<>();
        List<Double> runtimeRatios = new ArrayList<>();
        List<Double> lambdaRatios = new ArrayList<>();
        Set<Integer> memory = new TreeSet<>();
        Set<String> options = new TreeSet<>();
        for (Case c : CASES) {
            if (!System.getProperty("bench.only", c.handler()).contains(c.handler())) {
                continue;
            }
            Path event = Path.of("..", "events", c.event());
            assertTrue(Files.exists(event), "sample event " + event);
            String jvm = javaToolOptions(c.handler());
            options.add(jvm);
            int memoryMb = memorySize(c.handler());
            memory.add(memoryMb);
            long[][] measured = new long[13][rounds];
            for (int i = 0; i < rounds; i++) {
                try (Front front = Front.staged(emulator, c)) {
                    World world = front.world;
                    Path classes = out.resolve(c.handler() + ".classes");
                    String handler = "dev.pushdeploy.handler." + c.handler();
                    long[] floorRun = run(world, jvm, FLOOR, front.event, "cold", out.resolve("floor.classes"));
                    long[] handlerRun = run(world, jvm, handler, front.event, "cold", classes);
                    measured[0][i] = floorRun[0];
                    measured[1][i] = handlerRun[0];
                    measured[5][i] = floorRun[2];
                    measured[6][i] = handlerRun[2];
                    measured[8][i] = handlerRun[3];
                    assertEquals(1, floorRun[3], "the floor's first invocation made " + floorRun[3] + " SDK calls");
                    assertEquals(List.of(), heavy(classes), c.handler() + " loaded Netty, Apache HTTP or Jackson databind classes");
                }
                try (Front front = Front.staged(emulator, c)) {
                    measured[9][i] = underRuntimeClient(front.world, jvm, FLOOR, front.event, 0);
                    measured[10][i] = underRuntimeClient(front.world, jvm, "dev.pushdeploy.handler." + c.handler(), front.event, 0);
                }
                if (LAMBDA_CPU) {
                    try (Front front = Front.staged(emulator, c)) {
                        measured[11][i] = underRuntimeClient(front.world, jvm, FLOOR, front.event, memoryMb);
                        measured[12][i] = underRuntimeClient(front.world, jvm, "dev.pushdeploy.handler." + c.handler(), front.event,
                                memoryMb);
                    }
                }
                try (Front front = Front.staged(emulator, c)) {
                    World world = front.world;
                    measured[2][i] = run(world, jvm, FLOOR, front.event, "primed", out.resolve("floor.primed.classes"))[0];
                    front.deny(c.handler());
                    Path primedClasses = out.resolve(c.handler() + ".primed.classes");
                    long[] primed = run(world, jvm, "dev.pushdeploy.handler." + c.handler(), front.event, "primed", primedClasses,
                            () -> front.stage(emulator, c));
                    measured[3][i] = primed[0];
                    measured[4][i] = primed[1];
                    measured[7][i] = firstRequestClasses(primedClasses);
                    assertEquals(List.of(), heavy(primedClasses), c.handler() + " loaded Netty, Apache HTTP or Jackson databind classes"
                            + " priming or after");
                }
            }
            long floor = median(measured[0]);
            long cold = median(measured[1]);
            long floorPrimed = Math.max(1, median(measured[2]));
            long primed = median(measured[3]);
            long second = Math.max(1, median(measured[4]));
            long floorCpu = Math.max(1, median(measured[5]));
            long coldCpu = median(measured[6]);
            long classes = median(measured[7]);
            long calls = median(measured[8]);
            long runtimeFloor = Math.max(1, median(measured[9]));
            long runtime = median(measured[10]);
            runtimeRatios.add((double) runtime / runtimeFloor);
            long lambdaFloor = Math.max(1, median(measured[11]));
            long lambda = median(measured[12]);
            lambdaRatios.add((double) lambda / lambdaFloor);
            coldRatios.add((double) cold / floor);
            cpuRatios.add((double) coldCpu / floorCpu);
            primedRatios.add((double) primed / floorPrimed);
            leftRatios.add((double) primed / second);
            report.add(String.format(Locale.ROOT,
                    "%-32s %9d %9d %6.2fx %8d %8d %6.2fx %9d %8d %6.2fx %9d %8d %6.2fx %11d %11d %6.2fx %8d %6.2fx %8d %6d",
                    c.handler(), cold, floor, (double) cold / floor, coldCpu, floorCpu, (double) coldCpu / floorCpu, runtime, runtimeFloor,
                    (double) runtime / runtimeFloor, lambda, lambdaFloor, (double) lambda / lambdaFloor, primed, floorPrimed,
                    (double) primed / floorPrimed, second, (double) primed / second, classes, calls));
        }
        report.add(String.format(Locale.ROOT, "median ratio to the one-SDK-call floor: cold %.2fx (CPU time %.2fx, under Lambda's runtime"
                + " client %.2fx, and at Lambda's CPU allocation %.2fx), after SnapStart priming %.2fx; primed first invocation to the"
                + " handler's second: %.2fx", median(coldRatios), median(cpuRatios), median(runtimeRatios), median(lambdaRatios),
                median(primedRatios), median(leftRatios)));
        report.add(!LAMBDA_CPU ? "Lambda's CPU allocation not measured (-Dbench.lambdaCpu=false): the lambda columns are 0"
                : memory.stream().distinct().map(mb -> String.format(Locale.ROOT, "%d MB: init at one vCPU, the invocation at %.2f"
                        + " of one, the heap as Lambda's runtime sets it (%s)", mb, LambdaCpu.invocationShare(mb), String.join(" ", lambdaHeap(mb))))
                .collect(java.util.stream.Collectors.joining("; ", "Lambda's CPU allocation (the lambda columns) for the template's "
                        + "MemorySize, ", "")));
        report.add("every JVM ran with the JAVA_TOOL_OPTIONS template.yaml gives the function: " + options);
        Files.write(out.resolve("cold-start.txt"), report);
        report.forEach(System.out::println);
    }

    /**
     * What each piece of a step's first invocation costs over the floor, in the case StartDeployment's sample stages:
     * binding JSON, one more service's first call ({@link OneSdkCallHandlerPlus}), and one ECS call in place of the
     * floor's SSM call. Rounds alternate floor and piece as above; {@code target/bench/cold-start-pieces.txt}.
     */
    @Test
    void eachPieceOfAFirstInvocationAgainstTheFloor(Emulator emulator) throws Exception {
        int rounds = Integer.getInteger("bench.rounds", 1);
        Path out = Files.createDirectories(Path.of("target", "bench"));
        Case c = CASES.stream().filter(k -> k.handler().equals("StartDeploymentHandler")).findFirst().orElseThrow();
        String jvm = javaToolOptions(c.handler());
        List<Piece> pieces = List.of(
                new Piece("JsonBinding", "reads StartDeployment's input record, writes it back", 1),
                new Piece("EcsRead", "ECS DescribeServices", 2),
                new Piece("EcsReadAlone", "(no SSM call) ECS DescribeServices instead", 1),
                new Piece("EcsMove", "ECS DescribeServices, UpdateService", 3),
                new Piece("LockRead", "DynamoDB GetItem of the lock", 2),
                new Piece("EcsReadLockRead", "ECS DescribeServices, DynamoDB GetItem of the lock", 3));
        List<String> report = new ArrayList<>();
        report.add(String.format(Locale.ROOT, "%-18s %-56s %9s %9s %7s %8s %8s %7s %6s", "piece", "what the floor does besides", "cold ms",
                "floor ms", "ratio", "cpu ms", "floor", "ratio", "calls"));
        for (Piece piece : pieces) {
            String handler = OneSdkCallHandlerPlus.class.getName() + "$" + piece.name();
            long[][] measured = new long[4][rounds];
            for (int i = 0; i < rounds; i++) {
                try (Front front = Front.staged(emulator, c)) {
                    long[] floorRun = run(front.world, jvm, FLOOR, front.event, "cold", out.resolve("floor.classes"));
                    long[] pieceRun = run(front.world, jvm, handler, front.event, "cold", out.resolve(piece.name() + ".classes"));
                    assertEquals(1, floorRun[3], "the floor's first invocation made " + floorRun[3] + " SDK calls");
                    assertEquals(piece.calls(), pieceRun[3], piece.name() + "'s SDK calls");
                    measured[0][i] = floorRun[0];
                    measured[1][i] = pieceRun[0];
                    measured[2][i] = floorRun[2];
                    measured[3][i] = pieceRun[2];
                }
            }
            long floor = Math.max(1, median(measured[0]));
            long cold = median(measured[1]);
            long floorCpu = Math.max(1, median(measured[2]));
            long cpu = median(measured[3]);
            report.add(String.format(Locale.ROOT, "%-18s %-56s %9d %9d %6.2fx %8d %8d %6.2fx %6d", piece.name(), piece.what(),
                    cold, floor, (double) cold / floor, cpu, floorCpu, (double) cpu / floorCpu, piece.calls()));
        }
        Files.write(out.resolve("cold-start-pieces.txt"), report);
        report.forEach(System.out::println);
    }

    /** A nested handler of {@link OneSdkCallHandlerPlus}, what it does besides the floor, and its SDK calls. */
    private record Piece(String name, String what, long calls) {
    }

    /** The classes the first invocation loaded (after priming: what priming left to it), between FirstInvocation's marks. */
    private static long firstRequestClasses(Path classLog) throws IOException {
        List<String> lines = Files.readAllLines(classLog);
        int begins = indexOf(lines, FirstInvocation.FirstRequestBegins.class);
        int ended = indexOf(lines, FirstInvocation.FirstRequestEnded.class);
        return lines.subList(begins + 1, ended).stream().filter(l -> l.contains(" source: ")).count();
    }

    private static int indexOf(List<String> lines, Class<?> marker) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(" " + marker.getName() + " source: ")) {
                return i;
            }
        }
        throw new AssertionError("no " + marker.getName() + " in the class-load log");
    }

    /** The classes of a class-load log that the Lambda jar must never need: Netty, the Apache HTTP clients, Jackson databind. */
    private static List<String> heavy(Path classLog) throws IOException {
        return Files.readAllLines(classLog).stream()
                .filter(line -> line.contains("io.netty.") || line.contains("org.apache.http.") || line.contains("org.apache.hc.")
                        || line.contains("com.fasterxml.jackson.databind."))
                .toList();
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
    }

    /**
     * What the measured JVMs and the case's setup call: the emulator behind the local runtime's ECS simulator
     * ({@link SimulatedEcs}: against moto alone a handler took paths it never takes on AWS, the SDK's retries of an
     * operation moto lacks among them), which records every call and, once told ({@link #deny}), answers AccessDenied,
     * in AWS's JSON error shape, to the calls the handler's role in template.yaml does not allow ({@link PrimingDenials}):
     * the emulator has no IAM.
     */
    static final class Front implements AutoCloseable {
        final List<String> operations = new CopyOnWriteArrayList<>();
        private final Set<String> denied = ConcurrentHashMap.newKeySet();
        private final SimulatedEcs ecs;
        World world;
        /** The case's event as sent (in target/bench/events). */
        Path event;

        private Front(Emulator emulator) {
            ecs = SimulatedEcs.before(emulator);
            ecs.routeFirst(request -> {
                String operation = request.service() + ":" + request.operation();
                operations.add(operation);
                boolean ofTheStack = request.service().equals("states")
                        && new String(request.body(), StandardCharsets.UTF_8).contains(":execution:" + World.STATE_MACHINE + ":");
                return denied.contains(operation) && !ofTheStack ? Optional.of(AwsResponse.json(400,
                        "{\"__type\":\"AccessDeniedException\",\"message\":\"not authorized to perform: " + operation + "\"}"))
                        : Optional.empty();
            });
        }

        /** A front on a reset emulator, with the world built through it, the case's state given and its event written. */
        static Front staged(Emulator emulator, Case c) {
            Front front = new Front(emulator);
            try {
                front.stage(emulator, c);
                return front;
            } catch (RuntimeException e) {
                front.close();
                throw e;
            }
        }

        /**
         * The case set up again from nothing at the same address: the emulator reset, a new simulated fleet, the world
         * built, the case's state given and its event written.
         */
        void stage(Emulator emulator, Case c) {
            emulator.reset();
            ecs.renew();
            world = World.create(ecs.emulator());
            c.given().accept(world);
            try {
                Path events = Files.createDirectories(Path.of("target", "bench", "events"));
                event = Files.writeString(events.resolve(c.event()), c.sent().apply(world, Files.readString(Path.of("..", "events", c.event()))));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /**
         * From now on, the calls {@code handler}'s role denies (none for the floor); a Step Functions call is denied
         * only for an execution outside the stack's state machine (the role's resource scope), as priming's own is.
         */
        void deny(String handler) {
            denied.clear();
            denied.addAll(PrimingDenials.BY_HANDLER.getOrDefault(handler, Set.of()));
        }

        @Override
        public void close() {
            ecs.close();
        }
    }

    /**
     * Fresh JVM with the function's JAVA_TOOL_OPTIONS ({@code jvm}), production no-arg constructor, environment as
     * system properties, emulator endpoint.
     */
    private static long[] run(World world, String jvm, String handler, Path event, String mode, Path classLog)
            throws IOException, InterruptedException {
        return run(world, jvm, handler, event, mode, classLog, null);
    }

    private static long[] run(World world, String jvm, String handler, Path event, String mode, Path classLog, Runnable restage)
            throws IOException, InterruptedException {
        String output = output(world, jvm, handler, event, mode, classLog, restage);
        if (Boolean.getBoolean("bench.echo")) {
            System.out.println("=== " + handler + " " + mode + "\n" + output);
        }
        String result = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new AssertionError(handler + " printed no result:\n" + output));
        String[] parts = result.split(" ");
        return new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2]), Long.parseLong(parts[3]), Long.parseLong(parts[4])};
    }

    private static Path taskRoot;

    /**
     * Milliseconds from starting the JVM to the response reaching the Runtime API, with {@code handler} started by Lambda's
     * runtime client ({@link RuntimeClient}) from a task root holding the deployment package and the floor, the function's
     * variables in the environment: what a cold start costs on Lambda before the first answer, the runtime's own start
     * included. With {@code memoryMb} above 0 the process is held to Lambda's CPU allocation for a function of that size
     * ({@link LambdaCpu}): one vCPU until it asks for its first event, then its share.
     */
    private static long underRuntimeClient(World world, String jvm, String handler, Path event, int memoryMb) throws Exception {
        if (taskRoot == null) {
            taskRoot = RuntimeClient.taskRoot(Files.createDirectories(Path.of("target", "bench", "task-root")).toAbsolutePath(),
                    List.of(harness()));
        }
        Map<String, String> variables = new java.util.HashMap<>(variables(world));
        if (!jvm.isEmpty()) {
            variables.put(JAVA_TOOL_OPTIONS, jvm);
        }
        try (FakeRuntimeApi api = new FakeRuntimeApi(); LambdaCpu cpu = memoryMb > 0 ? LambdaCpu.create(memoryMb) : null) {
            api.enqueue(Files.readString(event));
            ProcessBuilder builder = RuntimeClient.builder(java(), handler.substring(handler.lastIndexOf('.') + 1),
                    handler + "::handleRequest", taskRoot, api, world.emulator.endpoint(), variables)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            if (cpu != null) {
                builder.command().addAll(1, lambdaHeap(memoryMb));
                cpu.hold(builder);
                api.beforeFirstEvent(cpu::invoked);
            }
            RuntimeClient.Answered answered = RuntimeClient.invoke(builder, api, java.time.Duration.ofSeconds(120));
            assertEquals("response", answered.outcome().kind(), handler + " under the runtime client answered " + answered.outcome());
            return answered.millis();
        }
    }

    /**
     * The heap Lambda's java runtime gives a function of {@code memoryMb}: its command line sets -XX:MaxHeapSize to 85 % of
     * the memory (445645k at 512 MB), and the sandbox has that memory, of which the JVM's initial heap is 1/64.
     */
    static List<String> lambdaHeap(int memoryMb) {
        return List.of("-XX:MaxHeapSize=" + Math.round(memoryMb * 1024 * 0.85) + "k", "-XX:MaxRAM=" + memoryMb + "m");
    }

    /** The functions' variables for {@code world}, as the template sets them for the sample events. */
    private static Map<String, String> variables(World world) {
        String states = "arn:aws:states:" + Emulator.REGION + ":" + Emulator.ACCOUNT + ":stateMachine:";
        return Map.ofEntries(
                Map.entry("CONFIG_PARAMETER", World.CONFIG_PARAMETER),
                Map.entry("TABLE_NAME", World.TABLE),
                Map.entry("TOPIC_ARN", world.topicArn),
                Map.entry("EVENT_BUS_NAME", "default"),
                Map.entry("ROTATE_SECRETS_TIMEOUT_SECONDS", "120"),
                Map.entry("START_DEPLOYMENT_TIMEOUT_SECONDS", "60"),
                Map.entry("ROLLBACK_TIMEOUT_SECONDS", "60"),
                Map.entry("DEPLOY_STATE_MACHINE_ARN", states + World.STATE_MACHINE),
                Map.entry("RELEASE_STATE_MACHINE_ARN", states + "pushdeploy-release"));
    }

    /** The java launcher of every measured JVM: {@code -Dbench.java}, or the test JVM's own. */
    private static String java() {
        return System.getProperty("bench.java", RuntimeClient.java());
    }

    /** What Lambda loads a function from ({@link DeploymentPackage}), then the harness alone ({@link #harness}). */
    private static String lambdaClasspath() {
        List<String> entries = new ArrayList<>(List.of(DeploymentPackage.classes().toString()));
        DeploymentPackage.jars().forEach(jar -> entries.add(jar.toString()));
        entries.add(harness().toString());
        return String.join(java.io.File.pathSeparator, entries);
    }

    /**
     * A directory with the harness's classes only (FirstInvocation, the floor, SdkCalls registered as the SDK's global
     * interceptor), not the test classes' directory, whose resources register the tests' own interceptor.
     */
    private static Path harness() {
        try {
            Path tests = Path.of(FirstInvocation.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = Files.createDirectories(Path.of("target", "bench", "harness")).toAbsolutePath();
            Path bench = Files.createDirectories(dir.resolve("dev/pushdeploy/bench"));
            try (var classes = Files.list(tests.resolve("dev/pushdeploy/bench"))) {
                for (Path file : classes.toList()) {
                    String name = file.getFileName().toString();
                    if (name.startsWith("FirstInvocation") || name.startsWith("OneSdkCallHandler") || name.equals("SdkCalls.class")) {
                        Files.copy(file, bench.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            Path interceptors = Files.createDirectories(dir.resolve("software/amazon/awssdk/global/handlers"));
            Files.writeString(interceptors.resolve("execution.interceptors"), SdkCalls.class.getName() + "\n");
            return dir;
        } catch (IOException | java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot set up the harness's directory", e);
        }
    }

    static String output(World world, String jvm, String handler, Path event, String mode, Path classLog)
            throws IOException, InterruptedException {
        return output(world, jvm, handler, event, mode, classLog, null);
    }

    /** With {@code restage} not null, it runs between the two invocations (see {@link FirstInvocation}). */
    private static String output(World world, String jvm, String handler, Path event, String mode, Path classLog, Runnable restage)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                java(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Xlog:class+load=info:file=" + classLog));
        if (System.getProperty("bench.jvm") != null) {
            command.addAll(List.of(System.getProperty("bench.jvm").replace("{name}", classLog.getFileName().toString()).split(" ")));
        }
        command.addAll(List.of("-cp", LAMBDA_CLASSPATH,
                "-Daws.endpointUrl=" + world.emulator.endpoint(),
                "-Daws.region=" + Emulator.REGION,
                "-Daws.accessKeyId=testing", "-Daws.secretAccessKey=testing"));
        variables(world).forEach((name, value) -> command.add("-D" + name + "=" + value));
        command.addAll(List.of(
                FirstInvocation.class.getName(), handler, event.toString(), mode));
        if (restage != null) {
            command.add("restage");
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove(JAVA_TOOL_OPTIONS);
        if (!jvm.isEmpty()) {
            builder.environment().put(JAVA_TOOL_OPTIONS, jvm);
        }
        Process process = builder.start();
        StringBuilder output = new StringBuilder();
        try (java.io.BufferedReader lines = process.inputReader(StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                output.append(line).append('\n');
                if (restage != null && line.equals(FirstInvocation.FIRST_DONE)) {
                    restage.run();
                    process.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
                    process.getOutputStream().flush();
                }
            }
        }
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), handler + " did not finish");
        assertEquals(0, process.exitValue(), handler + " failed:\n" + output);
        return output.toString();
    }
}
