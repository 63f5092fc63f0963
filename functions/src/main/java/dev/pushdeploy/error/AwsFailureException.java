package dev.pushdeploy.error;

/** An AWS call failed in a way retrying will not fix; the message says which call and why. */
public class AwsFailureException extends PushdeployException {
    public AwsFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
