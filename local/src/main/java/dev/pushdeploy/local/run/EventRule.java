package dev.pushdeploy.local.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import software.amazon.event.ruler.Machine;

/**
 * The template's EventBridge rules, matched with AWS's own matcher (event-ruler), as EventBridge
 * would before starting the state machine.
 */
public final class EventRule {
    private final Machine machine = new Machine();

    public EventRule(List<String> patterns) {
        try {
            for (int i = 0; i < patterns.size(); i++) {
                machine.addRule("rule-" + i, patterns.get(i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("not a valid event pattern: " + e.getMessage(), e);
        }
    }

    /** Whether an event (JSON text) matches at least one rule. */
    public boolean matches(String event) {
        try {
            return !machine.rulesForJSONEvent(event).isEmpty();
        } catch (Exception e) {
            throw new IllegalArgumentException("not a valid event: " + e.getMessage(), e);
        }
    }

    /** Whether an input has the envelope of an EventBridge event (as opposed to a manual input). */
    public static boolean isEvent(com.fasterxml.jackson.databind.JsonNode input) {
        return input.isObject() && input.has("source") && input.has("detail-type") && input.has("detail");
    }
}
