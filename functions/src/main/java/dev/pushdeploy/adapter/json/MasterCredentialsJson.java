package dev.pushdeploy.adapter.json;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.error.RotationFailedException;
import dev.pushdeploy.secrets.MasterCredentials;
import dev.pushdeploy.secrets.SecretValue;

/** The master credentials document: a JSON object {@code {"username": …, "password": …}}. */
public final class MasterCredentialsJson {
    private MasterCredentialsJson() {
    }

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

    /** The document that {@link #parse} reads. */
    public static String document(MasterCredentials master) {
        return Json.object().put("username", master.username()).put("password", master.password().reveal()).toString();
    }
}
