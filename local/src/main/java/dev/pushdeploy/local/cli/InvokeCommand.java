package dev.pushdeploy.local.cli;

import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.lambda.FunctionSpec;
import dev.pushdeploy.local.lambda.LambdaRuntime;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * {@code ./pushdeploy invoke FUNCTION --event FILE}: one function of the template, in process,
 * against the freshly bootstrapped local stack, like {@code sam local invoke}. An ECR push the
 * event carries is pushed to the emulator first. PrepareFunction takes a reference to an execution
 * (events/prepare.json); given any other document, the document becomes the input of a parked
 * execution and Prepare gets its reference.
 */
final class InvokeCommand {
    private final Path root;
    private final Main.Arguments arguments;
    private final PrintStream out;
    private final PrintStream err;
    private final Consumer<String> functionLog;

    InvokeCommand(Path root, Main.Arguments arguments, PrintStream out, PrintStream err, Consumer<String> functionLog) {
        this.root = root;
        this.arguments = arguments;
        this.out = out;
        this.err = err;
        this.functionLog = functionLog;
    }

    int execute() {
        if (arguments.positional().size() != 1) {
            throw new IllegalArgumentException("invoke needs exactly one FUNCTION (a logical id of template.yaml)");
        }
        String requested = arguments.positional().get(0);
        Path eventFile = Path.of(arguments.require("--event"));
        String event = RunCommand.read(eventFile);
        try (LocalRuntime runtime = LocalRuntime.start(Main.options(root, functionLog, arguments.options().get("--scan-gate")))) {
            LambdaRuntime lambdas = runtime.lambdas();
            String function = lambdas.functions().stream().map(FunctionSpec::name)
                    .filter(n -> n.equals(requested) || n.equals(requested + "Function")).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no function " + requested + " in template.yaml; one of: "
                            + lambdas.functions().stream().map(FunctionSpec::name).collect(Collectors.joining(", "))));
            runtime.pushImagesOf(event);
            if (function.equals("PrepareFunction") && !Json.tree(event).has("executionArn")) {
                event = runtime.parkedExecution(event);
                err.println("pushdeploy: Prepare reads its input from the execution: " + eventFile + " is the input of "
                        + Json.tree(event).path("executionArn").asText());
            }
            err.println("pushdeploy: invoking " + function + " with " + eventFile);
            LambdaRuntime.Result result = lambdas.invoke(function, event.getBytes(StandardCharsets.UTF_8));
            out.println(result.payload());
            return result.failed() ? 1 : 0;
        }
    }
}
