package dev.pushdeploy.cli;

import dev.pushdeploy.local.lambda.FunctionSpec;
import dev.pushdeploy.local.lambda.LambdaRuntime;
import dev.pushdeploy.local.stack.PipelineTemplate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
 * event carries (itself, or as the state document's {@code input}) is pushed to the emulator first.
 */
@Command(name = "invoke", description = "Run one function of template.yaml in process with the event, like `sam local invoke`.")
final class InvokeCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

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
            runtime.pushImagesOf(input);
            output.note("invoking " + function + " with " + event);
            LambdaRuntime.Result result = runtime.lambdas().invoke(function, input.getBytes(StandardCharsets.UTF_8));
            output.line(result.payload());
            return result.failed() ? Main.FAILED : 0;
        });
    }

    /** The template's function the argument names (its logical id, with or without "Function"), checked before anything starts. */
    private String function(String severity) {
        Map<String, String> parameters = severity == null ? Map.of() : Map.of("EnableScanGate", "true", "ScanGateSeverity", severity);
        List<String> names = PipelineTemplate.load(main.root.resolve("template.yaml"), parameters).functions().stream()
                .map(FunctionSpec::name).toList();
        return names.stream().filter(n -> n.equals(requested) || n.equals(requested + "Function")).findFirst()
                .orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(), "FUNCTION " + requested
                        + " is not a function of template.yaml; one of: " + String.join(", ", names)));
    }
}
