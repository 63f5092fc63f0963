package dev.pushdeploy.local.cli;

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
 * event carries (itself, or as the state document's {@code input}) is pushed to the emulator first.
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
            err.println("pushdeploy: invoking " + function + " with " + eventFile);
            LambdaRuntime.Result result = lambdas.invoke(function, event.getBytes(StandardCharsets.UTF_8));
            out.println(result.payload());
            return result.failed() ? 1 : 0;
        }
    }
}
