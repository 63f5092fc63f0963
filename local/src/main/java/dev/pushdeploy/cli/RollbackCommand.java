package dev.pushdeploy.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.ops.Operator;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pushdeploy rollback [--to previous|ARN]}. */
@Command(name = "rollback", description = "Roll the service back (image and secret slots together) through the workflow, and follow it.")
final class RollbackCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--to", paramLabel = "previous|ARN", defaultValue = "previous",
            description = "previous (default: what was live before, from the history), a task definition ARN or family:revision.")
    String to;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (recorded in the history).")
    String reason;

    @Option(names = "--no-wait", description = "Print the execution and return instead of following it.")
    boolean noWait;

    @Option(names = "--name", paramLabel = "NAME", description = "The execution name (default: rollback-<time>).")
    String name;

    @Override
    public Integer call() {
        Arguments.rollbackTarget(spec, to);
        Arguments.executionName(spec, "--name", name);
        Operator operator = main.operator();
        Target target = operator.target(main.service);
        ObjectNode input = Json.object().put("action", "rollback").put("service", target.serviceKey()).put("to", to);
        if (reason != null) {
            input.put("reason", reason);
        }
        String execution = operator.start(input, name != null ? name : Arguments.executionName("rollback",
                to.equals("previous") ? "" : to.substring(to.lastIndexOf('/') + 1), Instant.now()));
        return Follow.startedOrFollow(main.output(), operator.stepFunctions(), execution, noWait, main.local ? " --local" : "");
    }
}
