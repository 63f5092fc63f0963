package dev.pushdeploy.error;

/**
 * Base of the few domain exceptions. Their fully-qualified class names are the Lambda
 * {@code errorType}s that the state machine's Retry and Catch clauses match on, so moving
 * or renaming one is a breaking change to {@code statemachine/deploy.asl.json}.
 */
public abstract class PushdeployException extends RuntimeException {
    protected PushdeployException(String message) {
        super(message);
    }

    protected PushdeployException(String message, Throwable cause) {
        super(message, cause);
    }
}
