package dev.pushdeploy.log;

import java.time.Instant;
import java.util.Map;

/**
 * One structured log line as plain data: who wrote it (request, step, service), what happened
 * ({@code message}) and the fields that say more, in the order given. Values are identifiers,
 * counts, reasons and domain records; never secret values.
 */
public record LogEvent(Instant timestamp, Level level, String requestId, String step, String service, String message,
                       Map<String, Object> fields) {
}
