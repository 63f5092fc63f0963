package dev.pushdeploy.cli;

import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.ops.Operator;
import dev.pushdeploy.ops.Reports;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pushdeploy cancel [EXECUTION]}. */
@Command(name = "cancel", description = "Stop a run (StopExecution). The pipeline's reconciler then releases its lock, removes it from the queue and records it, as for any other end. Without EXECUTION: the service's one run in flight.")
final class CancelCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "EXECUTION", arity = "0..1", description = "An execution name or ARN.")
    String execution;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (the execution's cause).")
    String reason;

    @Override
    public Integer call() {
        Arguments.execution(spec, execution);
        Operator operator = main.operator();
        String arn;
        if (execution != null) {
            arn = operator.executionArn(execution);
        } else {
            List<Reports.Run> running = operator.running(operator.target(main.service));
            if (running.isEmpty()) {
                throw new IllegalArgumentException("nothing of " + operator.target(main.service).serviceKey() + " is in flight");
            }
            if (running.size() > 1) {
                throw new IllegalArgumentException(running.size() + " runs are in flight; name the one to cancel: "
                        + running.stream().map(r -> r.name() + " (" + r.state() + ")").collect(Collectors.joining(", ")));
            }
            arn = running.get(0).execution();
        }
        String state = operator.stepFunctions().describeExecution(arn).path("status").asText();
        if (!state.equals("RUNNING")) {
            throw new IllegalArgumentException(arn.substring(arn.lastIndexOf(':') + 1) + " is not running (" + state + ")");
        }
        operator.cancel(arn, "cancelled with pushdeploy cancel" + (reason == null ? "" : ": " + reason));
        Output output = main.output();
        String name = arn.substring(arn.lastIndexOf(':') + 1);
        if (output.json) {
            output.json(Json.object().put("execution", arn).put("name", name).put("status", "ABORTED"));
        } else {
            output.line("cancelled " + name + " (it ends ABORTED; the reconciler releases its lock and records it)");
        }
        return 0;
    }
}
