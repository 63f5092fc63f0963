package dev.pushdeploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.daemon.LocalDaemon;
import dev.pushdeploy.local.daemon.LocalStackFile;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.proc.Leftovers;
import dev.pushdeploy.local.proc.StateDir;
import dev.pushdeploy.ops.Operator;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pushdeploy local up|push|down}: a local stack that lives across commands. */
@Command(name = "local", description = "A local stack that lives across commands: moto, the simulated ECS, the functions and the database in a background process. `local up`, then `local push TAG` and any command with --local; `local down`.",
        subcommands = {LocalCommand.Push.class, LocalCommand.Serve.class})
final class LocalCommand implements Callable<Integer> {
    private static final Duration START_DEADLINE = Duration.ofSeconds(180);
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(30);
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name what to do: local up, local push TAG, local down");
    }

    /** {@code local up}: starts the daemon (or finds it running) and says how to reach it. */
    @Command(name = "up", description = "Start the local stack in the background (or say where the running one is).")
    int up(@Option(names = "--no-release", description = "Start as on AWS after the first sam deploy: no release yet, every "
            + "service on the stack's bootstrap revision with no task; the first push of a matching tag is the first release.")
           boolean noRelease,
           @Option(names = "--scan-gate", paramLabel = "SEVERITY",
                   description = "Turn the scan gate on at this severity (INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL); the scan finds one HIGH.")
           String scanGate,
           @Option(names = "--scan-seconds", paramLabel = "N",
                   description = "An image scan (scan on push) takes N simulated seconds (default 30; 0: at once), then ECR's scan event is sent.")
           Double scanSeconds,
           @Option(names = "--second-service", paramLabel = "NAME",
                   description = "Add the template's second service (SecondServiceName), its repository named NAME too, so that releases"
                           + " run: `pushdeploy --local release events/manual-release.json` with NAME api; --service picks one for the other commands.")
           String secondService) throws IOException {
        String severity = LocalOptions.scanGate(spec, main.root, scanGate);
        LocalOptions.checkScanSeconds(spec, scanSeconds);
        LocalOptions.secondService(spec, main.root, secondService);
        Output output = main.output();
        Optional<LocalStackFile> existing = LocalStackFile.read(main.root);
        if (existing.isPresent() && existing.get().alive() && ping(existing.get())) {
            print(output, existing.get(), "the local stack is already up" + (noRelease || severity != null || scanSeconds != null
                    || secondService != null
                    ? " (--no-release, --scan-gate, --scan-seconds and --second-service apply to a new one: `pushdeploy local down` first)"
                    : ""), null);
            return 0;
        }
        if (existing.isPresent()) {
            output.note("a local stack (pid " + existing.get().pid() + ") stopped without cleaning up; cleaning up");
            Files.deleteIfExists(LocalStackFile.path(main.root));
        }
        Leftovers.reap(main.root).forEach(output::note);
        Path log = StateDir.of(main.root).resolve("local.log");
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) {
            command.add("/usr/bin/setsid");
        }
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(Main.JVM_OPTIONS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "-Dpushdeploy.root=" + main.root,
                Main.class.getName(), "local", "serve"));
        if (noRelease) {
            command.add("--no-release");
        }
        if (severity != null) {
            command.addAll(List.of("--scan-gate", severity));
        }
        if (scanSeconds != null) {
            command.addAll(List.of("--scan-seconds", scanSeconds.toString()));
        }
        if (secondService != null) {
            command.addAll(List.of("--second-service", secondService));
        }
        if (main.verbose) {
            command.add("--verbose");
        }
        long started = System.nanoTime();
        Process daemon = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!output.json) {
            output.note("starting the local stack in the background (log: .pushdeploy/local.log) ...");
        }
        try (var guard = Interruption.guard(() -> "stopping the local stack being started (pid " + daemon.pid() + ")",
                () -> stopProcess(daemon.toHandle()), () -> "stopped; nothing is left running")) {
            long deadline = System.nanoTime() + START_DEADLINE.toNanos();
            while (true) {
                Optional<LocalStackFile> file = LocalStackFile.read(main.root);
                if (file.isPresent() && file.get().pid() == daemon.pid()) {
                    print(output, file.get(), String.format(java.util.Locale.ROOT, "the local stack is up (%.1f s)",
                            (System.nanoTime() - started) / 1e9), secondService);
                    return 0;
                }
                if (!daemon.isAlive()) {
                    throw new IllegalStateException("the local stack did not start:" + System.lineSeparator() + tail(log, 25));
                }
                if (System.nanoTime() > deadline) {
                    stopProcess(daemon.toHandle());
                    throw new IllegalStateException("the local stack did not start within " + START_DEADLINE.toSeconds()
                            + " s (stopped it):" + System.lineSeparator() + tail(log, 25));
                }
                sleep(200);
            }
        }
    }

    /** What {@code local up} says: where the stack is and what to try on it ({@code secondService}: its second service, or null). */
    private static void print(Output output, LocalStackFile file, String headline, String secondService) {
        if (output.json) {
            output.json(file);
            return;
        }
        output.line(headline + " (pid " + file.pid() + ", stack " + file.stack() + ")");
        output.line("  AWS endpoint  " + file.endpoint() + "   moto + the simulated ECS + the template's functions, region "
                + file.region() + ", any credentials");
        if (secondService == null) {
            output.line("  try           pushdeploy local push v1.2.0        a docker push: its ECR event starts the workflow");
            output.line("                pushdeploy --local status           also: history, deploy, rollback, rotate, diff, follow, cancel");
        } else {
            output.line("  try           pushdeploy --local release events/manual-release.json    web and " + secondService
                    + " together: all live, or every service it moved back");
            output.line("                pushdeploy --service " + secondService + " local push v1.2.0      two services: --service picks one"
                    + " for push, status, history, deploy, rollback, rotate, diff, follow, cancel");
        }
        output.line("  AWS CLI       AWS_ENDPOINT_URL=" + file.endpoint() + " AWS_REGION=" + file.region()
                + " AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws stepfunctions list-state-machines");
        output.line("  logs          .pushdeploy/local.log, .pushdeploy/functions.log");
        output.line("  stop          pushdeploy local down");
    }

    /** {@code local push TAG}: a docker push into the local repository. */
    @Command(name = "push", description = "Push an image tagged TAG into the local repository, as `docker push` does: its ECR event goes through the template's rule and starts the workflow, which is followed to its end (like deploy).")
    static final class Push implements Callable<Integer> {
        @ParentCommand
        LocalCommand local;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "TAG", description = "The image tag (a tag matching the pipeline's tag pattern deploys).")
        String tag;

        @Option(names = "--fate", paramLabel = "SCENARIO", converter = LocalOptions.ScenarioConverter.class,
                description = "How ECS runs this image: healthy (default), slow-start, crash-loop, unhealthy-targets, bad-smoke, rollback-fails.")
        Scenario fate;

        @Option(names = "--multi-platform", description = "Push as `docker buildx build --platform linux/amd64,linux/arm64 --push` does: "
                + "each platform's image (scanned on push), then the OCI image index naming them and their provenance attestations, tagged TAG.")
        boolean multiPlatform;

        @Option(names = "--no-wait", description = "Print the execution and return instead of following it.")
        boolean noWait;

        @Override
        public Integer call() {
            if (!TAG.matcher(tag).matches()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "TAG '" + tag + "' is not a valid image tag");
            }
            Main main = local.main;
            LocalStackFile file = running(main.root);
            Operator operator = Operator.connect(file.connection(), file.stack());
            String repository = operator.target(main.service).repository();
            ObjectNode request = Json.object().put("repository", repository).put("tag", tag);
            if (fate != null) {
                request.put("fate", fate.cliName());
            }
            if (multiPlatform) {
                request.put("multiPlatform", true);
            }
            JsonNode pushed = control(file, "POST", "/push", request);
            Output output = main.output();
            String digest = pushed.path("digest").asText();
            if (!pushed.path("matched").asBoolean()) {
                if (output.json) {
                    output.json(pushed);
                } else {
                    output.line("pushed " + repository + ":" + tag + " (" + digest + "); the push rule did not match it: nothing started");
                }
                return 0;
            }
            if (!output.json) {
                output.line("pushed " + repository + ":" + tag + " (" + digest.substring(0, Math.min(19, digest.length())) + "…"
                        + (multiPlatform ? ", multi-platform" : "") + (fate == null ? "" : ", fate " + fate.cliName())
                        + "); the push rule started the workflow");
            }
            return Follow.startedOrFollow(output, operator.stepFunctions(), pushed.path("execution").asText(), noWait, " --local");
        }
    }

    /** {@code local down}: stops the daemon and anything left behind. */
    @Command(name = "down", description = "Stop the local stack; nothing is left running (also what a killed command left behind).")
    int down() throws IOException {
        Output output = main.output();
        Optional<LocalStackFile> file = LocalStackFile.read(main.root);
        List<String> stopped = new ArrayList<>();
        if (file.isPresent()) {
            LocalStackFile stack = file.get();
            if (stack.alive()) {
                try {
                    control(stack, "POST", "/down", Json.object());
                } catch (RuntimeException unreachable) {
                    // stopped below by its pid
                }
                ProcessHandle process = ProcessHandle.of(stack.pid()).orElse(null);
                if (process != null && !awaitExit(process, STOP_DEADLINE)) {
                    stopProcess(process);
                }
                stopped.add("the local stack (pid " + stack.pid() + "): moto, the local endpoint, the functions, PostgreSQL");
            }
            Files.deleteIfExists(LocalStackFile.path(main.root));
        }
        stopped.addAll(Leftovers.reap(main.root));
        if (output.json) {
            ObjectNode answer = Json.object();
            stopped.forEach(answer.putArray("stopped")::add);
            output.json(answer);
        } else if (stopped.isEmpty()) {
            output.line("no local stack was running; nothing is left running");
        } else {
            stopped.forEach(s -> output.line("stopped " + s));
            output.line("nothing is left running");
        }
        return 0;
    }

    /** {@code local serve}: the daemon itself (what {@code local up} starts in the background). */
    @Command(name = "serve", hidden = true, description = "Run the local stack in the foreground (local up starts this).")
    static final class Serve implements Callable<Integer> {
        @ParentCommand
        LocalCommand local;

        @Option(names = "--no-release", description = "No release yet (see local up).")
        boolean noRelease;

        @Option(names = "--scan-gate", paramLabel = "SEVERITY", description = "The scan gate's severity (see local up).")
        String scanGate;

        @Option(names = "--scan-seconds", paramLabel = "N", description = "How long a scan takes (see local up).")
        Double scanSeconds;

        @Option(names = "--second-service", paramLabel = "NAME", description = "A second service (see local up).")
        String secondService;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Main main = local.main;
            PrintStream log = main.out;
            String severity = LocalOptions.scanGate(spec, main.root, scanGate);
            LocalOptions.checkScanSeconds(spec, scanSeconds);
            LocalRuntime.Options options = Main.options(main.root, main.functionLog(), severity,
                    LocalOptions.secondService(spec, main.root, secondService));
            if (noRelease) {
                options = options.withoutRelease();
            }
            Leftovers.reap(main.root).forEach(log::println);
            LocalDaemon.serve(main.root, options, log, runtime -> LocalOptions.scanSeconds(runtime, scanSeconds));
            return 0;
        }
    }

    /** The running local stack, or an error saying how to start one. */
    static LocalStackFile running(Path root) {
        LocalStackFile file = LocalStackFile.read(root).orElseThrow(() -> new IllegalArgumentException(
                "no local stack is running: start one with `pushdeploy local up`"));
        if (!file.alive()) {
            throw new IllegalArgumentException("the local stack (pid " + file.pid() + ") is not running any more: "
                    + "`pushdeploy local down` cleans up, `pushdeploy local up` starts it again");
        }
        return file;
    }

    private static boolean ping(LocalStackFile file) {
        try {
            control(file, "GET", "/ping", null);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    static JsonNode control(LocalStackFile file, String method, String path, JsonNode body) {
        HttpRequest request = HttpRequest.newBuilder(file.control().resolve(path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()))
                .header("Content-Type", "application/json").build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            JsonNode answer = Json.tree(response.body());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("the local stack answered " + answer.path("error").asText(response.body()));
            }
            return answer;
        } catch (IOException e) {
            throw new IllegalStateException("the local stack's control endpoint " + file.control() + " is unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static boolean awaitExit(ProcessHandle process, Duration deadline) {
        try {
            process.onExit().get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }

    /** SIGTERM (the daemon stops its children in its shutdown hook), then SIGKILL after a grace period. */
    private static void stopProcess(ProcessHandle process) {
        process.destroy();
        if (!awaitExit(process, STOP_DEADLINE)) {
            process.destroyForcibly();
            awaitExit(process, Duration.ofSeconds(5));
        }
    }

    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
