package dev.pushdeploy.local.cli;

import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.ecs.Throttling;
import dev.pushdeploy.local.run.RunResult;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** {@code ./pushdeploy run --event FILE [--scenario NAME] [--dump DIR]}. */
final class RunCommand {
    /** With --throttle: every ECS call's first attempt, and every 7th call entirely (the state machine retries those). */
    static final Throttling THROTTLING = new Throttling(1, 7);

    private final Path root;
    private final Main.Arguments arguments;
    private final PrintStream out;
    private final PrintStream err;
    private final Consumer<String> functionLog;

    RunCommand(Path root, Main.Arguments arguments, PrintStream out, PrintStream err, Consumer<String> functionLog) {
        this.root = root;
        this.arguments = arguments;
        this.out = out;
        this.err = err;
        this.functionLog = functionLog;
    }

    int execute() {
        Path eventFile = Path.of(arguments.require("--event"));
        Scenario scenario = Scenario.fromCliName(arguments.options().getOrDefault("--scenario", Scenario.HEALTHY.cliName()));
        String input = read(eventFile);
        Json.tree(input);
        err.println("pushdeploy: starting moto and the local endpoint, bootstrapping the stack from template.yaml ...");
        try (LocalRuntime runtime = LocalRuntime.start(Main.options(root, functionLog, arguments.options().get("--scan-gate")))) {
            Main.rolloutSeconds(runtime, arguments);
            if (arguments.throttle()) {
                runtime.simulator().throttling(THROTTLING);
            }
            err.println("pushdeploy: running " + eventFile + " (scenario " + scenario.cliName() + ")");
            RunResult result = runtime.run(input, scenario, arguments.options().get("--name"), line -> out.println(line.format()));
            if (result.executionArn() != null) {
                out.println(result.secretsLine());
            }
            out.println(result.summary().toString());
            String dump = arguments.options().get("--dump");
            if (dump != null) {
                dump(runtime, result, Path.of(dump));
                err.println("pushdeploy: wrote history.json, ssm.json and summary.json to " + dump);
            }
            return result.exitCode();
        }
    }

    private static void dump(LocalRuntime runtime, RunResult result, Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("history.json"), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result.history()));
            Files.writeString(dir.resolve("ssm.json"), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(runtime.parameters()));
            Files.writeString(dir.resolve("summary.json"), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result.summary()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + dir, e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
