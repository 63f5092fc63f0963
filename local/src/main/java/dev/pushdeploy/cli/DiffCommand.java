package dev.pushdeploy.cli;

import dev.pushdeploy.config.Target;
import dev.pushdeploy.ops.Operator;
import dev.pushdeploy.ops.Reports;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code pushdeploy diff IMAGE}: what {@code deploy IMAGE} would register, nothing written. */
@Command(name = "diff", description = "The revision a deploy of IMAGE would register — image, secrets and slots, environment, metadata — as a diff against the live one. Runs the pipeline's own read-only steps: nothing is written.")
final class DiffCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Mixin
    ImageArgument image;

    @Override
    public Integer call() {
        image.check();
        Operator operator = main.operator();
        Target target = operator.target(main.service);
        return show(main.output(), operator.diff(target, image.reference(target, operator)));
    }

    /** Prints a diff; 0 when the deploy would proceed, else Prepare's decision's exit code (2 REJECTED, 0 IGNORED). */
    static int show(Output output, Reports.Diff diff) {
        if (output.json) {
            output.json(diff);
        } else {
            Render.diff(output, diff);
        }
        return diff.decision().equals("REJECTED") ? 2 : 0;
    }
}
