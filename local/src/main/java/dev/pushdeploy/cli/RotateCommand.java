package dev.pushdeploy.cli;

import dev.pushdeploy.ops.Json;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.ops.Operator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code pushdeploy rotate}. */
@Command(name = "rotate", description = "New secrets in the inactive slots, same image, through the workflow; follow it.")
final class RotateCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Mixin
    StartOptions start;

    @Override
    public Integer call() {
        start.check();
        Operator operator = main.operator();
        Target target = operator.target(main.service);
        return start.startAndFollow(main, operator, Json.object().put("action", "rotate").put("service", target.serviceKey()), "");
    }
}
