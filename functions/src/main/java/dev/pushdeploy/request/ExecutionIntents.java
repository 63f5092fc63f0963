package dev.pushdeploy.request;

/**
 * What an execution's input asks for: the input it was started with (never re-serialised), read
 * strictly, as an {@link Intent} ({@link Intent.Invalid} for input that is not acceptable, including
 * input from another account or region than the execution's).
 */
@FunctionalInterface
public interface ExecutionIntents {
    Intent intent(String executionArn);
}
