package dev.pushdeploy.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Operator;
import java.time.Instant;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options of the commands that start the workflow with a manual input (deploy, rollback,
 * rotate; a picocli mixin): {@code --reason}, {@code --name}, {@code --no-wait}, and starting and
 * following the execution.
 */
final class StartOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (recorded in the history; a deploy's on the revision too).")
    String reason;

    @Option(names = "--no-wait", description = "Print the execution and return instead of following it.")
    boolean noWait;

    @Option(names = "--name", paramLabel = "NAME",
            description = "The execution name (default: ${COMMAND-NAME}-<what it moves>-<time>); a name already used is refused.")
    String name;

    /**
     * Fails naming the option when the name or the reason cannot be an input's: the reason as {@link Arguments#reason} checks it,
     * so that nothing is started that Prepare would refuse.
     */
    void check() {
        Arguments.executionName(spec, "--name", name);
        Arguments.reason(spec, reason);
    }

    /**
     * Starts the workflow with {@code input} (and the reason) under the name given, else a fresh
     * {@code <command>-<label>-<time>} one, then follows it unless {@code --no-wait}; answers the exit code.
     */
    int startAndFollow(Main main, Operator operator, ObjectNode input, String label) {
        if (reason != null) {
            input.put("reason", reason);
        }
        String execution = operator.start(input, name != null ? name : Arguments.executionName(spec.name(), label, Instant.now()));
        return Follow.startedOrFollow(main.output(), operator.stepFunctions(), execution, noWait, main.local ? " --local" : "");
    }
}
