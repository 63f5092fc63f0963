package dev.pushdeploy.cli;

import dev.pushdeploy.ops.Json;
import dev.pushdeploy.ops.StepFunctions;
import dev.pushdeploy.ops.Operator;
import dev.pushdeploy.ops.Reports;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pushdeploy cancel [EXECUTION]}. */
@Command(name = "cancel", description = "Stop a run or a release (StopExecution). The pipeline's reconciler then releases its lock, removes it from the queue and records it, as for any other end. Without EXECUTION: the service's one run in flight.")
final class CancelCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Mixin
    ExecutionArgument execution;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (the execution's cause).")
    String reason;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        execution.check();
        Arguments.reason(spec, reason);
        Operator operator = main.operator();
        String arn = execution.arn(operator, this::theOneInFlight);
        String state = operator.stepFunctions().describeExecution(arn).path("status").asText();
        if (!state.equals("RUNNING")) {
            throw new IllegalArgumentException(StepFunctions.name(arn) + " is not running (" + state + ")");
        }
        operator.cancel(arn, "cancelled with pushdeploy cancel" + (reason == null ? "" : ": " + reason));
        Output output = main.output();
        String name = StepFunctions.name(arn);
        if (output.json) {
            output.json(Json.object().put("execution", arn).put("name", name).put("status", "ABORTED"));
        } else {
            output.line("cancelled " + name + (operator.isRelease(arn)
                    ? " (it ends ABORTED with the deployments it runs; the reconciler records it and each of them)"
                    : " (it ends ABORTED; the reconciler releases its lock and records it)"));
        }
        return 0;
    }

    /** The service's one run in flight (none, or several, is an error naming them). */
    private String theOneInFlight(Operator operator) {
        List<Reports.Run> running = operator.running(operator.target(main.service));
        if (running.isEmpty()) {
            throw new IllegalArgumentException("nothing of " + operator.target(main.service).serviceKey() + " is in flight");
        }
        if (running.size() > 1) {
            throw new IllegalArgumentException(running.size() + " runs are in flight; name the one to cancel: "
                    + running.stream().map(r -> r.name() + " (" + r.state() + ")").collect(Collectors.joining(", ")));
        }
        return running.get(0).execution();
    }
}
