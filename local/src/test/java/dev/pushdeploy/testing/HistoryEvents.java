package dev.pushdeploy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** Reading the events of an execution's history as the local runtime returns them (JSON). */
public final class HistoryEvents {
    private HistoryEvents() {
    }

    /** The event's timestamp in epoch seconds (a number, or an ISO instant). */
    public static double seconds(JsonNode historyEvent) {
        JsonNode ts = historyEvent.path("timestamp");
        return ts.isNumber() ? ts.asDouble() : Instant.parse(ts.asText()).toEpochMilli() / 1000.0;
    }
}
