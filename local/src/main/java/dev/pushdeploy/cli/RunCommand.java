package dev.pushdeploy.cli;

import java.util.Map;

import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.ecs.Throttling;
import dev.pushdeploy.local.run.RunResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ./pushdeploy run --event FILE [--scenario NAME] [--strategy NAME] [--dump DIR]}. */
@Command(name = "run", description = "Run the workflow on a fresh local stack: the template's EventBridge rule is applied to the event (a manual input starts an execution directly), one line per state, then one JSON summary line. Scenarios: healthy (default), slow-start, crash-loop, unhealthy-targets, bad-smoke, rollback-fails, alarm-in-bake. With --strategy blue-green, canary or linear, ECS's traffic-shifting strategy deploys: the lines show the lifecycle stage and the production share, the summary the strategy, the stage reached and the highest production share.")
final class RunCommand implements Callable<Integer> {
    /** With --throttle: every ECS call's first attempt, and every 7th call entirely (the state machine retries those). */
    static final Throttling THROTTLING = new Throttling(1, 7);

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--event", required = true, paramLabel = "FILE", description = "An EventBridge event or a manual input (events/*.json).")
    Path event;

    @Option(names = "--scenario", paramLabel = "NAME", defaultValue = "healthy", converter = LocalOptions.ScenarioConverter.class,
            description = "How ECS rolls out the new revision (default: ${DEFAULT-VALUE}).")
    Scenario scenario;

    @Option(names = "--strategy", paramLabel = "NAME", defaultValue = "rolling", converter = LocalOptions.StrategyConverter.class,
            description = "The template's DeploymentStrategy: rolling (default), blue-green, canary or linear.")
    String strategy;

    @Option(names = "--scan-gate", paramLabel = "SEVERITY",
            description = "Turn the scan gate on at this severity (INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL); moto's scan finds one HIGH.")
    String scanGate;

    @Option(names = "--dump", paramLabel = "DIR", description = "Write history.json, ssm.json (decrypted values!) and summary.json there.")
    Path dump;

    @Option(names = "--name", paramLabel = "NAME", description = "The execution name (default: generated, as EventBridge does).")
    String name;

    @Option(names = "--throttle", description = "Answer ECS calls with ThrottlingException now and then.")
    boolean throttle;

    @Option(names = "--rollout-seconds", paramLabel = "N",
            description = "A healthy ECS rollout takes N simulated seconds (default 8); every phase of the simulated tasks scales with it.")
    Double rolloutSeconds;

    @Option(names = "--scan-seconds", paramLabel = "N",
            description = "An image scan (scan on push) takes N simulated seconds (default 30; 0: at once), then ECR's scan event is sent.")
    Double scanSeconds;

    @Override
    public Integer call() {
        String input = EventFile.read(spec, event);
        String severity = LocalOptions.scanGate(spec, main.root, scanGate);
        Arguments.executionName(spec, "--name", name);
        if (dump != null && Files.exists(dump) && !Files.isDirectory(dump)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--dump " + dump + " is a file, not a directory");
        }
        LocalOptions.checkRolloutSeconds(spec, rolloutSeconds);
        LocalOptions.checkScanSeconds(spec, scanSeconds);
        LocalRuntime.Options options = Main.options(main.root, main.functionLog(), severity);
        Map<String, String> parameters = new java.util.HashMap<>(options.parameters());
        parameters.put("DeploymentStrategy", strategy);
        options = new LocalRuntime.Options(options.root(), options.functionLog(), options.scanGate(), options.liveStates(),
                parameters);
        Output output = main.output();
        output.note("starting moto and the local endpoint, bootstrapping the stack from template.yaml ...");
        AtomicReference<String> state = new AtomicReference<>("(not started)");
        return FreshStack.with(options, () -> "the run was at " + state.get(), runtime -> {
            LocalOptions.rolloutSeconds(runtime, rolloutSeconds);
            LocalOptions.scanSeconds(runtime, scanSeconds);
            if (throttle) {
                runtime.simulator().throttling(THROTTLING);
            }
            output.note("running " + event + " (scenario " + scenario.cliName() + ", strategy " + strategy + ")");
            PollLines lines = new PollLines(output::line);
            RunResult result = runtime.run(input, scenario, name, line -> {
                state.set(line.state());
                if (!output.json) {
                    lines.accept(line);
                }
            });
            lines.flush();
            if (result.executionArn() != null && !output.json) {
                output.line(result.secretsLine());
            }
            output.line(result.summary().toString());
            if (dump != null) {
                try {
                    dump(runtime, result, dump);
                    output.note("wrote history.json, ssm.json and summary.json to " + dump);
                } catch (IOException e) {
                    output.note("could not write the dump to " + dump + ": " + e.getMessage() + " (the run itself ended "
                            + result.outcome() + ")");
                }
            }
            return result.exitCode();
        });
    }

    private static void dump(LocalRuntime runtime, RunResult result, Path dir) throws IOException {
        Files.createDirectories(dir);
        var writer = Json.mapper().writerWithDefaultPrettyPrinter();
        Files.writeString(dir.resolve("history.json"), writer.writeValueAsString(result.history()));
        Files.writeString(dir.resolve("ssm.json"), writer.writeValueAsString(runtime.parameters()));
        Files.writeString(dir.resolve("summary.json"), writer.writeValueAsString(result.summary()));
    }
}
