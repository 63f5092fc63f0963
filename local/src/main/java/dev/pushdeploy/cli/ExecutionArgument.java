package dev.pushdeploy.cli;

import dev.pushdeploy.ops.Operator;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The optional EXECUTION of {@code follow} and {@code cancel} (a picocli mixin): a name or an ARN. */
final class ExecutionArgument {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Parameters(paramLabel = "EXECUTION", arity = "0..1", description = "An execution name or ARN: a run's, or a release's (its name).")
    String execution;

    /** Fails naming EXECUTION when it is neither an ARN nor an execution name. */
    void check() {
        Arguments.execution(spec, execution);
    }

    /** The ARN of the execution named, or, without one, the one {@code otherwise} picks. */
    String arn(Operator operator, Function<Operator, String> otherwise) {
        return execution != null ? operator.executionArn(execution) : otherwise.apply(operator);
    }
}
