package dev.pushdeploy.error;

/**
 * A secret could not be rotated (database unreachable, login proof failed). Nothing was
 * written to the slot the new revision would use, and the live slot is untouched.
 */
public class RotationFailedException extends PushdeployException {
    public RotationFailedException(String message) {
        super(message);
    }

    public RotationFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
