package dev.pushdeploy.secrets;

/** The database master login, as its SecureString parameter holds it ({@link SlotStore#master}). */
public record MasterCredentials(String username, SecretValue password) {
}
