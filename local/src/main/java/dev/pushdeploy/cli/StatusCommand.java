package dev.pushdeploy.cli;

import dev.pushdeploy.ops.Operator;
import dev.pushdeploy.ops.Reports;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code pushdeploy status}. */
@Command(name = "status", description = "What is live (revision, image digest and tag, secret slots, running/desired, health), the runs in flight, the lock holder and the queue, and the last outcomes.")
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Override
    public Integer call() {
        Operator operator = main.operator();
        Reports.Status status = operator.status(operator.target(main.service));
        Output output = main.output();
        if (output.json) {
            output.json(status);
        } else {
            Render.status(output, status);
        }
        return 0;
    }
}
