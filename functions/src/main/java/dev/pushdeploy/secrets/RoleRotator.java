package dev.pushdeploy.secrets;

import dev.pushdeploy.config.SecretSpec;
import dev.pushdeploy.error.RotationFailedException;

/** Gives a database slot role a new password (docs/design.md, "Two secret slots"), proving it before anything is stored. */
@FunctionalInterface
public interface RoleRotator {
    /**
     * Creates {@code role} if missing with the memberships of {@code liveRole}, sets its
     * password, and proves a login with it. Never alters {@code liveRole}.
     *
     * @param liveRole the role the live revision uses, or null when no slot is live yet
     * @throws RotationFailedException when the database is unreachable or any step fails
     */
    void rotate(SecretSpec.Postgres database, MasterCredentials master, String liveRole, String role, SecretValue password);
}
