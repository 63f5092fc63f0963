package dev.pushdeploy.request;

/** The input an execution was started with, as the text given to StartExecution (never re-serialised). */
@FunctionalInterface
public interface ExecutionInputs {
    String input(String executionArn);
}
