package dev.pushdeploy.config;

import java.util.regex.Pattern;

/**
 * One managed secret: two SecureString slots, {@code parameter + "/a"} and {@code parameter + "/b"}.
 *
 * @param name      the container's environment variable that receives the secret
 * @param kind      RANDOM (new random value) or POSTGRES (database role password, docs/design.md "Two secret slots")
 * @param length    length of generated values
 * @param postgres  database settings, only for the POSTGRES kind
 */
public record SecretSpec(String name, Kind kind, String parameter, int length, Postgres postgres) {
    public enum Kind { RANDOM, POSTGRES }

    /**
     * @param role            base role name; slots use {@code role_a} and {@code role_b}
     * @param usernameEnv     the container's environment variable that receives the role name
     * @param masterParameter SecureString parameter holding the master credentials (JSON username/password)
     */
    public record Postgres(String host, int port, String database, String role, String usernameEnv, String masterParameter) {
        /** A database host: a host name or IPv4 address, or an IPv6 address in brackets (no port, no scheme). */
        public static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+]");
    }

    public String slotParameter(String slot) {
        return parameter + "/" + slot;
    }
}
