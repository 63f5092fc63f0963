package dev.pushdeploy.model;

/**
 * Where one managed secret lives for the new revision: the slot written by rotation (or the
 * live slot when nothing was rotated). Identifiers only, never the value.
 *
 * @param parameter   full SSM name of the slot parameter ({@code <base>/a} or {@code <base>/b})
 * @param version     SSM version written (null when not rotated)
 * @param usernameEnv for postgres secrets, the environment variable receiving {@code username}
 */
public record SecretSlot(String name, String slot, String parameter, Long version, String usernameEnv, String username) {
}
