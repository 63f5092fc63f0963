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
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pushdeploy deploy IMAGE [--dry-run] [--no-wait]}. */
@Command(name = "deploy", description = "Deploy an image (a tag or a digest of the service's repository) through the workflow and follow it, one line per state. --dry-run shows the revision it would register instead (nothing is written).")
final class DeployCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "IMAGE", description = "v1.2.0, sha256:<64 hex>, web:v1.2.0, web@sha256:..., or the full repository URI with either.")
    String image;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (recorded in the history and on the revision).")
    String reason;

    @Option(names = "--dry-run", description = "Show the revision this deploy would register, as a diff against the live one; start nothing.")
    boolean dryRun;

    @Option(names = "--no-wait", description = "Print the execution and return instead of following it.")
    boolean noWait;

    @Option(names = "--name", paramLabel = "NAME", description = "The execution name (default: deploy-<tag>-<time>); a name already used is refused.")
    String name;

    @Override
    public Integer call() {
        Arguments.executionName(spec, "--name", name);
        if (reason != null && reason.length() > 256) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--reason is " + reason.length() + " characters; at most 256");
        }
        if (image.isBlank()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "IMAGE is empty");
        }
        Arguments.image(spec, image, "repository");
        Operator operator = main.operator();
        Target target = operator.target(main.service);
        String reference = Arguments.image(spec, image, target.repository());
        if (dryRun) {
            return DiffCommand.show(main.output(), operator.diff(target, reference));
        }
        ObjectNode input = Json.object().put("action", "deploy").put("service", target.serviceKey()).put("image", reference);
        if (reason != null) {
            input.put("reason", reason);
        }
        String execution = operator.start(input, name != null ? name : Arguments.executionName("deploy", image, Instant.now()));
        return Follow.startedOrFollow(main.output(), operator.stepFunctions(), execution, noWait, main.local ? " --local" : "");
    }
}
