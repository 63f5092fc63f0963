package dev.pushdeploy.cli;

import dev.pushdeploy.ops.Operator;
import dev.pushdeploy.ops.Reports;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pushdeploy history [-n N]}. */
@Command(name = "history", description = "The deployment records, newest first: time, outcome, image, revision, duration, reason, execution.")
final class HistoryCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = {"-n", "--count"}, paramLabel = "N", defaultValue = "10", description = "How many records (1 to 100; default ${DEFAULT-VALUE}).")
    int count;

    @Override
    public Integer call() {
        if (count < 1 || count > 100) {
            throw new CommandLine.ParameterException(spec.commandLine(), "-n " + count + " must be between 1 and 100");
        }
        Operator operator = main.operator();
        List<Reports.Entry> entries = operator.history(operator.target(main.service), count);
        Output output = main.output();
        if (output.json) {
            output.json(entries);
        } else {
            Render.history(output, entries);
        }
        return 0;
    }
}
