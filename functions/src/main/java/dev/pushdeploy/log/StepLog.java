package dev.pushdeploy.log;

import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The structured log of one step: lines with a level, the request id, the step, the service, a
 * message and named fields, written to a {@link LogSink}. Fields are only ever identifiers,
 * counts and reasons; secret values are never passed here (they live in {@code SecretValue},
 * which refuses to be written).
 */
public final class StepLog {
    private final LogSink sink;
    private final Clock clock;
    private final String requestId;
    private final String step;
    private final String service;

    private StepLog(LogSink sink, Clock clock, String requestId, String step, String service) {
        this.sink = sink;
        this.clock = clock;
        this.requestId = requestId;
        this.step = step;
        this.service = service;
    }

    public static StepLog to(LogSink sink, String step) {
        return new StepLog(sink, Clock.systemUTC(), null, step, null);
    }

    public StepLog forRequest(String id) {
        return new StepLog(sink, clock, id, step, service);
    }

    public StepLog forService(String serviceKey) {
        return new StepLog(sink, clock, requestId, step, serviceKey);
    }

    public void debug(String message, Object... keyValues) {
        write(Level.DEBUG, message, keyValues);
    }

    public void info(String message, Object... keyValues) {
        write(Level.INFO, message, keyValues);
    }

    public void warn(String message, Object... keyValues) {
        write(Level.WARN, message, keyValues);
    }

    public void error(String message, Object... keyValues) {
        write(Level.ERROR, message, keyValues);
    }

    private void write(Level level, String message, Object... keyValues) {
        if (!sink.enabled(level)) {
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            fields.put(String.valueOf(keyValues[i]), keyValues[i + 1]);
        }
        sink.write(new LogEvent(clock.instant(), level, requestId, step, service, message,
                Collections.unmodifiableMap(fields)));
    }
}
