package dev.pushdeploy.cli;

import dev.pushdeploy.ops.Json;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.ops.Operator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code pushdeploy deploy IMAGE [--dry-run] [--no-wait]}. */
@Command(name = "deploy", description = "Deploy an image (a tag or a digest of the service's repository) through the workflow and follow it, one line per state. --dry-run shows the revision it would register instead (nothing is written).")
final class DeployCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Mixin
    ImageArgument image;

    @Mixin
    StartOptions start;

    @Option(names = "--dry-run", description = "Show the revision this deploy would register, as a diff against the live one; start nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
        start.check();
        image.check();
        Operator operator = main.operator();
        Target target = operator.target(main.service);
        String reference = image.reference(target, operator);
        if (dryRun) {
            return DiffCommand.show(main.output(), operator.diff(target, reference));
        }
        return start.startAndFollow(main, operator,
                Json.object().put("action", "deploy").put("service", target.serviceKey()).put("image", reference), image.image);
    }
}
