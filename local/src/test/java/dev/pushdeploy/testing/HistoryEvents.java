package dev.pushdeploy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.local.events.LocalEventBus;
import java.time.Instant;

/** Reading the events of an execution's history as the local runtime returns them (JSON), and the bus beside them. */
public final class HistoryEvents {
    private HistoryEvents() {
    }

    /** The event's timestamp in epoch seconds (a number, or an ISO instant). */
    public static double seconds(JsonNode historyEvent) {
        JsonNode ts = historyEvent.path("timestamp");
        return ts.isNumber() ? ts.asDouble() : Instant.parse(ts.asText()).toEpochMilli() / 1000.0;
    }

    /** When (epoch seconds) the execution first entered {@code state}. */
    public static double firstEnteredAt(JsonNode history, String state) {
        for (JsonNode event : history) {
            if (state.equals(event.path("stateEnteredEventDetails").path("name").asText())) {
                return seconds(event);
            }
        }
        throw new AssertionError("never entered " + state);
    }

    /** When (epoch seconds) the execution last left {@code state}. */
    public static double lastExitedAt(JsonNode history, String state) {
        double at = Double.NaN;
        for (JsonNode event : history) {
            if (state.equals(event.path("stateExitedEventDetails").path("name").asText())) {
                at = seconds(event);
            }
        }
        if (Double.isNaN(at)) {
            throw new AssertionError("never left " + state);
        }
        return at;
    }

    /** When (simulated epoch seconds) ECR's last scan event of the image {@code digest} was put on the bus. */
    public static double scanEventAt(LocalEventBus bus, String digest) {
        return bus.published().stream()
                .filter(p -> "ECR Image Scan".equals(p.event().path("detail-type").asText())
                        && digest.equals(p.event().path("detail").path("image-digest").asText()))
                .mapToDouble(p -> p.at() / 1000.0).max().orElseThrow(() -> new AssertionError("ECR sent no scan event of " + digest));
    }
}
