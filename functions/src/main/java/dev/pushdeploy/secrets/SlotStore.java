package dev.pushdeploy.secrets;

import java.util.Optional;

/** The SecureString parameters that hold secret slots and the database master credentials. */
public interface SlotStore {
    /** The decrypted value of a SecureString parameter, or empty when it does not exist. */
    Optional<SecretValue> read(String parameter);

    /**
     * Writes a SecureString (overwriting, which also creates a missing parameter) encrypted
     * with {@code kmsKeyId} (null: the account's default SSM key); returns the new version.
     */
    long write(String parameter, SecretValue value, String kmsKeyId);

    /**
     * The database master login kept in a SecureString parameter, or empty when it does not exist.
     *
     * @throws dev.pushdeploy.error.RotationFailedException when the value is not a master login document
     */
    Optional<MasterCredentials> master(String parameter);
}
