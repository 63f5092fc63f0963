package dev.pushdeploy.cli;

import dev.pushdeploy.ops.Operator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code pushdeploy follow [EXECUTION]}. */
@Command(name = "follow", description = "Attach to a run or a release: every state so far, then live to its end; the exit code says how it ended. Without EXECUTION: the service's run in flight, else its latest run.")
final class FollowCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Mixin
    ExecutionArgument execution;

    @Override
    public Integer call() {
        execution.check();
        Operator operator = main.operator();
        String arn = execution.arn(operator, o -> o.latestExecution(o.target(main.service)).orElseThrow(() ->
                new IllegalArgumentException("no run of " + o.target(main.service).serviceKey() + " to follow")));
        String local = main.local ? " --local" : "";
        return operator.isRelease(arn) ? Follow.release(main.output(), operator, arn, false, local)
                : Follow.follow(main.output(), operator.stepFunctions(), arn, local);
    }
}
