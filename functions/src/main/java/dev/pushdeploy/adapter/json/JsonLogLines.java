package dev.pushdeploy.adapter.json;

import dev.pushdeploy.log.LogEvent;
import dev.pushdeploy.log.LogSink;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A {@link LogEvent} as one JSON object on one line, in the shape of Lambda's JSON log format:
 * {@code timestamp}, {@code level}, {@code message}, {@code AWSRequestId}, then {@code step},
 * {@code service} and every field as a field of its own. A field named like one of those gets a
 * {@code field.} prefix rather than replace it.
 */
public final class JsonLogLines {
    private static final Set<String> RESERVED = Set.of("timestamp", "level", "message", "AWSRequestId", "step", "service");

    private JsonLogLines() {
    }

    public static String format(LogEvent event) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("timestamp", event.timestamp().toString());
        line.put("level", event.level().name());
        line.put("message", event.message());
        if (event.requestId() != null) {
            line.put("AWSRequestId", event.requestId());
        }
        line.put("step", event.step());
        if (event.service() != null) {
            line.put("service", event.service());
        }
        for (Map.Entry<String, Object> field : event.fields().entrySet()) {
            String name = RESERVED.contains(field.getKey()) ? "field." + field.getKey() : field.getKey();
            line.put(name, field.getValue());
        }
        try {
            return Json.write(line);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("a field of '" + event.message() + "' cannot be written as JSON", e);
        }
    }

    /** A sink that hands each line, without its newline, to {@code lines}. */
    public static LogSink to(Consumer<String> lines) {
        return event -> lines.accept(format(event));
    }
}
