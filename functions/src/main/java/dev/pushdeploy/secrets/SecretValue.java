package dev.pushdeploy.secrets;

import java.util.Objects;

/**
 * A secret value in memory. It never prints ({@link #toString()} is redacted), has no bean
 * properties (JSON serialisation fails instead of leaking), and is read only through
 * {@link #reveal()} at the one place that hands it to SSM or the database driver.
 */
public final class SecretValue {
    private final String value;

    private SecretValue(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public static SecretValue of(String value) {
        return new SecretValue(value);
    }

    /** The plain value; call only where it leaves the process for its store. */
    public String reveal() {
        return value;
    }

    /** The plain value as characters, for APIs that take a password as {@code char[]}. */
    public char[] revealChars() {
        return value.toCharArray();
    }

    @Override
    public String toString() {
        return "SecretValue[redacted]";
    }
}
