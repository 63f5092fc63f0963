package dev.pushdeploy.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.error.RotationFailedException;
import dev.pushdeploy.adapter.json.Json;

/** The database master login, read from its SecureString parameter (JSON {@code {"username","password"}}). */
public record MasterCredentials(String username, SecretValue password) {

    /**
     * Parses the parameter's value. Errors name the parameter only: parser messages can quote
     * the input, so neither they nor the cause are kept.
     */
    public static MasterCredentials parse(String parameter, SecretValue document) {
        JsonNode root;
        try {
            root = Json.tree(document.reveal());
        } catch (IllegalArgumentException e) {
            throw new RotationFailedException("master credentials parameter " + parameter + " is not a JSON object");
        }
        JsonNode username = root == null ? null : root.get("username");
        JsonNode password = root == null ? null : root.get("password");
        if (username == null || !username.isTextual() || username.asText().isBlank()
                || password == null || !password.isTextual() || password.asText().isEmpty()) {
            throw new RotationFailedException("master credentials parameter " + parameter
                    + " must be a JSON object with string fields username and password");
        }
        return new MasterCredentials(username.asText(), SecretValue.of(password.asText()));
    }
}
