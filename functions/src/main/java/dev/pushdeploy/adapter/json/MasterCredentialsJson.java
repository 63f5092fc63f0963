package dev.pushdeploy.adapter.json;

import dev.pushdeploy.error.RotationFailedException;
import dev.pushdeploy.secrets.MasterCredentials;
import dev.pushdeploy.secrets.SecretValue;
import java.util.LinkedHashMap;
import java.util.Map;

/** The master credentials document: a JSON object {@code {"username": …, "password": …}}. */
public final class MasterCredentialsJson {
    private MasterCredentialsJson() {
    }

    /**
     * Parses the parameter's value. Errors name the parameter only: parser messages can quote
     * the input, so neither they nor the cause are kept.
     */
    public static MasterCredentials parse(String parameter, SecretValue document) {
        Object root;
        try {
            root = Json.parse(document.reveal());
        } catch (IllegalArgumentException e) {
            throw new RotationFailedException("master credentials parameter " + parameter + " is not a JSON object");
        }
        if (!(Json.member(root, "username") instanceof String username) || username.isBlank()
                || !(Json.member(root, "password") instanceof String password) || password.isEmpty()) {
            throw new RotationFailedException("master credentials parameter " + parameter
                    + " must be a JSON object with string fields username and password");
        }
        return new MasterCredentials(username, SecretValue.of(password));
    }

    /** The document that {@link #parse} reads. */
    public static String document(MasterCredentials master) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("username", master.username());
        document.put("password", master.password().reveal());
        return Json.write(document);
    }
}
