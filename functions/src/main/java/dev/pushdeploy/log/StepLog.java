package dev.pushdeploy.log;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.adapter.json.Json;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Structured log: one JSON object per line with the Lambda request id, the service and the
 * step. Fields are only ever identifiers, counts and reasons; secret values are never passed
 * here (they live in {@code SecretValue}, which does not print).
 */
public final class StepLog {
    private final Consumer<String> sink;
    private final String requestId;
    private final String step;
    private final String service;

    private StepLog(Consumer<String> sink, String requestId, String step, String service) {
        this.sink = sink;
        this.requestId = requestId;
        this.step = step;
        this.service = service;
    }

    public static StepLog of(LambdaLogger logger, String requestId, String step) {
        return new StepLog(logger == null ? System.out::println : logger::log, requestId, step, null);
    }

    public static StepLog to(Consumer<String> sink, String step) {
        return new StepLog(sink, null, step, null);
    }

    public StepLog forService(String serviceKey) {
        return new StepLog(sink, requestId, step, serviceKey);
    }

    public void info(String message, Object... keyValues) {
        write("INFO", message, keyValues);
    }

    public void warn(String message, Object... keyValues) {
        write("WARN", message, keyValues);
    }

    public void error(String message, Object... keyValues) {
        write("ERROR", message, keyValues);
    }

    private void write(String level, String message, Object... keyValues) {
        ObjectNode line = Json.object();
        line.put("time", Instant.now().toString());
        line.put("level", level);
        if (requestId != null) {
            line.put("requestId", requestId);
        }
        line.put("step", step);
        if (service != null) {
            line.put("service", service);
        }
        line.put("message", message);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            line.set(String.valueOf(keyValues[i]), Json.mapper().valueToTree(keyValues[i + 1]));
        }
        sink.accept(line.toString() + "\n");
    }
}
