package dev.pushdeploy.error;

/**
 * The run must stop without touching the service: the service moved to a revision this request did not
 * start, or the request no longer holds the service's lock. The message says what moved it.
 */
public class RunInterruptedException extends PushdeployException {
    public RunInterruptedException(String message) {
        super(message);
    }
}
