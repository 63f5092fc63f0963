package dev.pushdeploy.local.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import software.amazon.event.ruler.Machine;

/** Named EventBridge event patterns, matched with AWS's own matcher (event-ruler), as EventBridge would. */
public final class EventRule {
    private final Machine machine = new Machine();

    /** Patterns named {@code rule-0}, {@code rule-1}, … */
    public EventRule(List<String> patterns) {
        this(numbered(patterns));
    }

    /** Rule name → pattern. */
    public EventRule(Map<String, String> patterns) {
        try {
            for (Map.Entry<String, String> pattern : patterns.entrySet()) {
                machine.addRule(pattern.getKey(), pattern.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("not a valid event pattern: " + e.getMessage(), e);
        }
    }

    /** Whether an event (JSON text) matches at least one rule. */
    public boolean matches(String event) {
        return !matching(event).isEmpty();
    }

    /** The names of the rules an event (JSON text) matches, sorted. */
    public List<String> matching(String event) {
        try {
            return new ArrayList<>(new TreeSet<>(machine.rulesForJSONEvent(event)));
        } catch (Exception e) {
            throw new IllegalArgumentException("not a valid event: " + e.getMessage(), e);
        }
    }

    /** Whether an input has the envelope of an EventBridge event (as opposed to a manual input). */
    public static boolean isEvent(com.fasterxml.jackson.databind.JsonNode input) {
        return input.isObject() && input.has("source") && input.has("detail-type") && input.has("detail");
    }

    private static Map<String, String> numbered(List<String> patterns) {
        Map<String, String> named = new java.util.LinkedHashMap<>();
        for (int i = 0; i < patterns.size(); i++) {
            named.put("rule-" + i, patterns.get(i));
        }
        return named;
    }
}
