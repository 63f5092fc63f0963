package dev.pushdeploy.local.run;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** The envelope EventBridge puts around an AWS service's own event; the caller adds its {@code detail}. */
public final class EventEnvelope {
    private EventEnvelope() {
    }

    /**
     * @param resourceArn  the one resource the event is about (its account and region are the event's)
     * @param epochSeconds when it happened; EventBridge's {@code time} keeps whole seconds
     */
    public static ObjectNode of(String source, String detailType, String resourceArn, double epochSeconds) {
        String[] arn = resourceArn.split(":");
        ObjectNode event = of(source, detailType, arn[4], arn[3], epochSeconds);
        ((ArrayNode) event.get("resources")).add(resourceArn);
        return event;
    }

    /** The envelope of an event that names no resource (ECR's push events: their {@code resources} is empty). */
    public static ObjectNode of(String source, String detailType, String account, String region, double epochSeconds) {
        ObjectNode event = Json.object();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("detail-type", detailType);
        event.put("source", source);
        event.put("account", account);
        event.put("time", Instant.ofEpochMilli(Math.round(epochSeconds * 1000)).truncatedTo(ChronoUnit.SECONDS).toString());
        event.put("region", region);
        event.putArray("resources");
        return event;
    }
}
