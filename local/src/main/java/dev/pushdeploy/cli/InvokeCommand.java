package dev.pushdeploy.cli;

import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.lambda.FunctionSpec;
import dev.pushdeploy.local.lambda.LambdaRuntime;
import dev.pushdeploy.local.stack.PipelineTemplate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code ./pushdeploy invoke FUNCTION --event FILE}: one function of the template, in process,
 * against a freshly bootstrapped local stack, like {@code sam local invoke}. An ECR push the
 * event is, or the one a state document's request describes, is pushed to the emulator first.
 */
@Command(name = "invoke", description = "Run one function of template.yaml in process with the event, like `sam local invoke`.")
final class InvokeCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    /**
     * The steps whose answers a later step's input carries, in the workflow's order: state document
     * field → the function that writes it (its Task state's ResultPath; a test holds this to the ASL).
     */
    static final Map<String, String> STEPS = stepOrder();

    private static final String PREPARE = "PrepareFunction";

    @Parameters(paramLabel = "FUNCTION", description = "A function's logical id in template.yaml (PrepareFunction, or Prepare).")
    String requested;

    @Option(names = "--event", required = true, paramLabel = "FILE", description = "The function's input (events/<step>.json).")
    Path event;

    @Option(names = "--scan-gate", paramLabel = "SEVERITY", description = "Evaluate the template with the scan gate on at this severity.")
    String scanGate;

    @Override
    public Integer call() {
        String input = EventFile.read(spec, event);
        String severity = LocalOptions.scanGate(spec, main.root, scanGate);
        String function = function(severity);
        Output output = main.output();
        return FreshStack.with(Main.options(main.root, main.functionLog(), severity), () -> "the invocation of " + function
                + " did not finish", runtime -> {
            // On the wall clock: the parked execution a step's request names must not reach its end meanwhile.
            try (var wallClock = runtime.holdTime()) {
                runtime.pushImagesOf(input);
                String fitted = function.equals(PREPARE) ? prepareEvent(runtime, input, output) : fit(runtime, function, input, output);
                if (fitted == null) {
                    return Main.FAILED;
                }
                output.note("invoking " + function + " with " + event);
                LambdaRuntime.Result result = runtime.lambdas().invoke(function, fitted.getBytes(StandardCharsets.UTF_8));
                output.line(result.payload());
                return result.failed() ? Main.FAILED : 0;
            }
        });
    }

    /**
     * Prepare reads its input from the execution it is given (events/prepare.json is such a
     * reference). Any other document is taken for an execution's input: it becomes the input of a
     * parked execution, and Prepare gets that execution's reference.
     */
    private static String prepareEvent(LocalRuntime runtime, String input, Output output) {
        if (Json.tree(input).has("executionArn")) {
            return input;
        }
        String reference = runtime.parkedExecution(input);
        output.note("Prepare reads its input from the execution: the event is the input of "
                + Json.tree(reference).path("executionArn").asText());
        return reference;
    }

    /**
     * A step's sample event is a state document that earlier steps filled (the request, the lock,
     * the rotated slots, the registered revision, the deployment started...). On a fresh stack those
     * do not exist, so the steps before this one that made them run first, on this stack, in the
     * workflow's order — Prepare on an execution whose input is the push the request describes — and
     * their answers replace the sample's: the step then meets a stack in the state its input
     * describes. Verdicts and results ({@code check}, {@code result}) are the sample's. Returns the
     * fitted document, or null when an earlier step failed (said on stderr).
     */
    private static String fit(LocalRuntime runtime, String function, String input, Output output) {
        JsonNode parsed = Json.tree(input);
        if (!(parsed instanceof ObjectNode document) || !document.path("request").hasNonNull("repository")
                || !document.path("request").hasNonNull("digest")) {
            return input;
        }
        LambdaRuntime lambdas = runtime.lambdas();
        JsonNode sample = document.get("request");
        ObjectNode push = LocalRuntime.ecrPushEvent(sample.get("repository").asText(), sample.path("tag").asText(null),
                sample.get("digest").asText());
        runtime.pushImagesOf(push.toString());
        ObjectNode fitted = Json.object();
        List<String> made = new ArrayList<>();
        for (Map.Entry<String, String> step : STEPS.entrySet()) {
            if (step.getValue().equals(function)) {
                break;
            }
            if (!document.has(step.getKey())) {
                continue;
            }
            String stepInput = step.getValue().equals(PREPARE) ? runtime.parkedExecution(push.toString()) : fitted.toString();
            LambdaRuntime.Result result = lambdas.invoke(step.getValue(), stepInput.getBytes(StandardCharsets.UTF_8));
            if (result.failed()) {
                output.note("the event's " + step.getKey() + " comes from " + step.getValue() + ", which failed on this stack: "
                        + result.errorType() + ": " + result.errorMessage());
                return null;
            }
            fitted.set(step.getKey(), Json.tree(result.payload()));
            made.add(step.getValue().replace("Function", "") + " → $." + step.getKey());
        }
        document.fieldNames().forEachRemaining(name -> {
            if (!fitted.has(name)) {
                fitted.set(name, document.get(name));
            }
        });
        if (!made.isEmpty()) {
            output.note("made the event's state on this stack first: " + String.join(", ", made));
        }
        return fitted.toString();
    }

    /** The template's function the argument names (its logical id, with or without "Function"), checked before anything starts. */
    private String function(String severity) {
        Map<String, String> parameters = severity == null ? Map.of() : Map.of("EnableScanGate", "true", "ScanGateSeverity", severity);
        List<String> names = PipelineTemplate.expand(main.root.resolve("template.yaml"), parameters).beforeFirstRelease().functions().stream()
                .map(FunctionSpec::name).toList();
        return names.stream().filter(n -> n.equals(requested) || n.equals(requested + "Function")).findFirst()
                .orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(), "FUNCTION " + requested
                        + " is not a function of template.yaml; one of: " + String.join(", ", names)));
    }

    private static Map<String, String> stepOrder() {
        Map<String, String> steps = new LinkedHashMap<>();
        steps.put("request", PREPARE);
        steps.put("lock", "LockFunction");
        steps.put("secrets", "RotateSecretsFunction");
        steps.put("release", "RegisterTaskDefinitionFunction");
        steps.put("rollout", "StartDeploymentFunction");
        steps.put("rollback", "RollbackFunction");
        return java.util.Collections.unmodifiableMap(steps);
    }
}
