package dev.pushdeploy.cli;

import dev.pushdeploy.ops.Operator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pushdeploy follow [EXECUTION]}. */
@Command(name = "follow", description = "Attach to a run: every state so far, then live to its end; the exit code says how it ended. Without EXECUTION: the service's run in flight, else its latest run.")
final class FollowCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "EXECUTION", arity = "0..1", description = "An execution name or ARN.")
    String execution;

    @Override
    public Integer call() {
        Arguments.execution(spec, execution);
        Operator operator = main.operator();
        String arn = execution != null ? operator.executionArn(execution)
                : operator.latestExecution(operator.target(main.service)).orElseThrow(() -> new IllegalArgumentException(
                        "no run of " + operator.target(main.service).serviceKey() + " to follow"));
        return Follow.follow(main.output(), operator.stepFunctions(), arn, main.local ? " --local" : "");
    }
}
