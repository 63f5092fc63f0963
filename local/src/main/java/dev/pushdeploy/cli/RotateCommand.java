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

/** {@code pushdeploy rotate}. */
@Command(name = "rotate", description = "New secrets in the inactive slots, same image, through the workflow; follow it.")
final class RotateCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (recorded in the history).")
    String reason;

    @Option(names = "--no-wait", description = "Print the execution and return instead of following it.")
    boolean noWait;

    @Option(names = "--name", paramLabel = "NAME", description = "The execution name (default: rotate-<time>).")
    String name;

    @Override
    public Integer call() {
        Arguments.executionName(spec, "--name", name);
        Operator operator = main.operator();
        Target target = operator.target(main.service);
        ObjectNode input = Json.object().put("action", "rotate").put("service", target.serviceKey());
        if (reason != null) {
            input.put("reason", reason);
        }
        String execution = operator.start(input, name != null ? name : Arguments.executionName("rotate", "", Instant.now()));
        return Follow.startedOrFollow(main.output(), operator.stepFunctions(), execution, noWait, main.local ? " --local" : "");
    }
}
