package dev.pushdeploy.ops;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where one managed secret went in a run (identifiers only, never a value): from the slot the
 * previous revision referenced to the slot the rotation wrote, and the slot live after the run
 * (the previous one again when the deploy was rolled back).
 *
 * @param from     the previous revision's slot, null when it had none
 * @param live     the slot the revision live after the run references, {@link #NONE} when it references none,
 *                 null when that revision is not known
 * @param username for postgres secrets, the login role of the written slot (in {@code usernameEnv})
 */
public record SecretMove(String name, String from, String to, String live, String usernameEnv, String username) {
    /** The live revision references no slot of the secret (a first release undone). */
    public static final String NONE = "none";

    /**
     * The moves of a run: the rotation's answer in the execution history (the last one, if it was
     * retried), with the slots before and after.
     *
     * @param before secret name → slot in the previous revision
     * @param after  secret name → slot in the revision live after the run; null when that revision is not known
     */
    public static List<SecretMove> of(JsonNode history, Map<String, String> before, Map<String, String> after) {
        JsonNode rotated = null;
        for (JsonNode event : history) {
            JsonNode exited = event.path("stateExitedEventDetails");
            if (exited.path("name").asText().equals("RotateSecrets") && exited.path("output").isTextual()) {
                rotated = Json.tree(exited.get("output").asText()).path("secrets").path("secrets");
            }
        }
        List<SecretMove> moves = new ArrayList<>();
        if (rotated != null) {
            for (JsonNode slot : rotated) {
                String name = slot.path("name").asText();
                moves.add(new SecretMove(name, before.get(name), slot.path("slot").asText(),
                        after == null ? null : after.getOrDefault(name, NONE),
                        slot.path("usernameEnv").asText(null), slot.path("username").asText(null)));
            }
        }
        return List.copyOf(moves);
    }

    /** This move with {@code live} as the slot live after the run. */
    public SecretMove living(String live) {
        return new SecretMove(name, from, to, live, usernameEnv, username);
    }

    /** {@code DB_PASSWORD a → b (DB_USER app_b)}, plus where it is live now when that is not the new slot. */
    public String describe() {
        List<String> notes = new ArrayList<>();
        if (username != null) {
            notes.add(usernameEnv + " " + username);
        }
        if (live != null && !live.equals(to)) {
            notes.add("rolled back, live: " + live);
        }
        return name + " " + (from == null ? "-" : from) + " → " + to + (notes.isEmpty() ? "" : " (" + String.join("; ", notes) + ")");
    }

    /** {@code name}, {@code from}, {@code to}, {@code live} (null when none or not known) and the login role under its variable's name. */
    @JsonValue
    public ObjectNode json() {
        ObjectNode node = Json.object();
        node.put("name", name);
        node.put("from", from);
        node.put("to", to);
        node.put("live", NONE.equals(live) ? null : live);
        if (username != null) {
            node.put(usernameEnv, username);
        }
        return node;
    }
}
