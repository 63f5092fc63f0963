package dev.pushdeploy.error;

/** A failure worth retrying with backoff: throttling, 5xx, timeouts, lost connections. */
public class TransientException extends PushdeployException {
    public TransientException(String message, Throwable cause) {
        super(message, cause);
    }
}
