package dev.pushdeploy.local.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.aws.Clients;
import dev.pushdeploy.local.bootstrap.StackOutputs;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.stack.PipelineTemplate;
import dev.pushdeploy.local.time.TimeKeeper;
import dev.pushdeploy.ops.CloudFormation;
import dev.pushdeploy.ops.Connection;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The local stack as a long-lived process ({@code pushdeploy local up} starts it in the background):
 * one {@link LocalRuntime} whose state lasts across commands. The operator commands reach it as they
 * reach AWS — through its endpoint, with static credentials, reading the outputs of the stack it
 * registers in the emulator's CloudFormation. A small control endpoint on the loopback interface
 * does what has no AWS API: {@code docker push} of an image ({@code POST /push}, whose ECR event
 * goes through the template's rule), the count of mutating calls ({@code GET /writes}), holding simulated time to
 * the wall clock's pace while a client acts on a waiting run ({@code POST /time/hold}, at most {@value #MAX_HOLD_SECONDS}
 * s, and {@code POST /time/release}) and stopping ({@code POST /down}).
 */
public final class LocalDaemon {
    private final Path root;
    private final LocalRuntime runtime;
    private final HttpServer control;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<TimeKeeper.Activity> timeHeld = new AtomicReference<>();
    static final long MAX_HOLD_SECONDS = 600;

    private LocalDaemon(Path root, LocalRuntime runtime) throws IOException {
        this.root = root;
        this.runtime = runtime;
        this.control = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        control.createContext("/", this::serve);
    }

    /**
     * Starts the stack, sets it up ({@code setUp}: the options a runtime takes once started), registers its outputs,
     * writes {@code .pushdeploy/local.json} and serves until {@code POST /down} or a signal; then stops everything and
     * removes the file.
     */
    public static void serve(Path root, LocalRuntime.Options options, PrintStream log, Consumer<LocalRuntime> setUp) {
        LocalRuntime runtime = LocalRuntime.start(options);
        LocalDaemon daemon;
        try {
            setUp.accept(runtime);
            daemon = new LocalDaemon(root, runtime);
        } catch (IOException e) {
            runtime.close();
            throw new UncheckedIOException("cannot open the control endpoint", e);
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
        Thread shutdown = new Thread(daemon::stop, "local-stack-stop");
        Runtime.getRuntime().addShutdownHook(shutdown);
        daemon.start(log);
        try {
            daemon.stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        daemon.stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdown);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs stop() as well, which does its work once
        }
        log.println("local stack stopped");
    }

    private void start(PrintStream log) {
        StackOutputs stack = runtime.stack();
        new CloudFormation(Connection.emulator(runtime.endpoint(), Clients.REGION, LocalStackFile.ACCESS_KEY, LocalStackFile.ACCESS_KEY))
                .createStack(PipelineTemplate.STACK_NAME, template(stack));
        control.start();
        URI controlUri = URI.create("http://127.0.0.1:" + control.getAddress().getPort());
        new LocalStackFile(ProcessHandle.current().pid(), runtime.endpoint(), controlUri, Clients.REGION, LocalStackFile.ACCESS_KEY,
                PipelineTemplate.STACK_NAME, Instant.now().toString()).write(root);
        log.println("local stack up: endpoint " + runtime.endpoint() + ", control " + controlUri);
    }

    private void stop() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopped.countDown();
        control.stop(0);
        LocalStackFile.read(root).filter(f -> f.pid() == ProcessHandle.current().pid()).ifPresent(f -> LocalStackFile.delete(root));
        runtime.close();
    }

    /** A template with the stack's outputs, named as template.yaml names them (the emulator keeps only the outputs). */
    public static String template(StackOutputs stack) {
        Map<String, String> outputs = new LinkedHashMap<>();
        outputs.put("StateMachineArn", stack.stateMachineArn());
        outputs.put("DeploymentTableName", stack.table());
        outputs.put("ConfigParameterName", stack.configParameter());
        outputs.put("NotificationTopicArn", stack.topicArn());
        outputs.put("ReleaseStateMachineArn", stack.releaseStateMachineArn());
        StackOutputs.Service service = stack.service();
        outputs.put("ClusterName", service.target().cluster());
        outputs.put("ServiceName", service.target().service());
        outputs.put("RepositoryUri", service.repositoryUri());
        outputs.put("ReleaseParameterPath", stack.releaseParameterPrefix() + "/" + service.target().cluster() + "/" + service.target().service());
        ObjectNode template = Json.object();
        template.putObject("Resources").putObject("LocalStack").put("Type", "AWS::CloudFormation::WaitConditionHandle");
        ObjectNode out = template.putObject("Outputs");
        outputs.forEach((key, value) -> {
            if (value != null) {
                out.putObject(key).put("Value", value);
            }
        });
        return template.toString();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String route = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
            String text = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            JsonNode body = Json.tree(text.isBlank() ? "{}" : text);
            int status = 200;
            ObjectNode answer = Json.object();
            try {
                switch (route) {
                    case "GET /ping" -> answer.put("pid", ProcessHandle.current().pid());
                    case "GET /writes" -> runtime.writes().all().forEach(answer.putArray("writes")::add);
                    case "POST /push" -> push(body, answer);
                    case "POST /time/hold" -> answer.put("heldSeconds", holdTime(body.path("seconds").asLong(MAX_HOLD_SECONDS)));
                    case "POST /time/release" -> answer.put("released", releaseTime());
                    case "POST /down" -> {
                        answer.put("stopping", true);
                        new Thread(stopped::countDown, "local-stack-down").start();
                    }
                    default -> {
                        status = 404;
                        answer.put("error", "no such control route: " + route);
                    }
                }
            } catch (RuntimeException e) {
                status = 400;
                answer.put("error", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
            byte[] bytes = answer.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /**
     * Simulated time runs at the wall clock's pace (no idle stretch is skipped) for {@code seconds} (1 to
     * {@value #MAX_HOLD_SECONDS}) or until released; a new hold replaces the last.
     */
    private long holdTime(long seconds) {
        long held = Math.clamp(seconds, 1, MAX_HOLD_SECONDS);
        TimeKeeper.Activity activity = runtime.holdTime();
        Optional.ofNullable(timeHeld.getAndSet(activity)).ifPresent(TimeKeeper.Activity::close);
        Thread expiry = new Thread(() -> {
            try {
                Thread.sleep(held * 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (timeHeld.compareAndSet(activity, null)) {
                activity.close();
            }
        }, "local-stack-time-hold");
        expiry.setDaemon(true);
        expiry.start();
        return held;
    }

    private boolean releaseTime() {
        TimeKeeper.Activity activity = timeHeld.getAndSet(null);
        if (activity == null) {
            return false;
        }
        activity.close();
        return true;
    }

    /**
     * A {@code docker push} (or, with {@code multiPlatform}, {@code docker buildx build --push} of two platforms): the
     * image into ECR, its fate in the simulator, its ECR event through the template's rule.
     */
    private void push(JsonNode body, ObjectNode answer) {
        String repository = body.path("repository").asText();
        String tag = body.path("tag").asText();
        boolean multiPlatform = body.path("multiPlatform").asBoolean(false);
        String digest = multiPlatform ? runtime.pushIndex(repository, tag) : runtime.pushImage(repository, tag);
        if (body.hasNonNull("fate")) {
            runtime.simulator().imageScenario(digest, Scenario.fromCliName(body.get("fate").asText()));
        }
        Optional<String> execution = runtime.startFromEvent(runtime.pushEvent(repository, tag, digest, multiPlatform).toString());
        answer.put("repository", repository).put("tag", tag).put("digest", digest).put("matched", execution.isPresent());
        execution.ifPresent(arn -> answer.put("execution", arn));
    }
}
