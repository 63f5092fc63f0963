package dev.pushdeploy.cli;

import dev.pushdeploy.ops.Json;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.ops.Operator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;
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

    @Mixin
    StartOptions start;

    @Override
    public Integer call() {
        Arguments.rollbackTarget(spec, to);
        start.check();
        Operator operator = main.operator();
        Arguments.ownRollbackTarget(spec, to, Arguments.own(operator.pipeline()));
        Target target = operator.target(main.service);
        return start.startAndFollow(main, operator,
                Json.object().put("action", "rollback").put("service", target.serviceKey()).put("to", to),
                to.equals("previous") ? "" : to.substring(to.lastIndexOf('/') + 1));
    }
}
