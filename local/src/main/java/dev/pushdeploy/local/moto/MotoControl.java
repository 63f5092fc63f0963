package dev.pushdeploy.local.moto;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The launcher's control port: the interpreter's virtual clock and its log of execution status
 * changes (see {@code moto_launcher.py}).
 */
public final class MotoControl implements InterpreterClock {
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    MotoControl(URI base) {
        this.base = base;
    }

    /**
     * The interpreter's state.
     *
     * @param busy how many interpreter threads run (not waiting)
     * @param due  whether a timer is due and its thread not yet awake
     * @param next the earliest pending timer (epoch seconds), if any
     * @param offsetSeconds how far its clock is ahead of the wall clock
     */
    public record Idle(int busy, boolean due, OptionalDouble next, double offsetSeconds) {
        public boolean idle() {
            return busy == 0 && !due;
        }
    }

    /** One status change of an execution; {@code at} in epoch seconds of the virtual clock. */
    public record Change(long seq, String executionArn, String status, double at) {
    }

    @Override
    public Idle idle(Duration wait) {
        JsonNode answer = get("/clock/idle?wait=" + wait.toMillis() / 1000.0, wait);
        JsonNode next = answer.path("next");
        return new Idle(answer.path("busy").asInt(), answer.path("due").asBoolean(),
                next.isNumber() ? OptionalDouble.of(next.asDouble()) : OptionalDouble.empty(),
                answer.path("offset").asDouble());
    }

    /**
     * What holds the clock: empty when the interpreter is idle within {@code wait}, else how many of its threads count
     * as running and where each interpreter thread is.
     */
    public Optional<String> holders(Duration wait) {
        if (idle(wait).busy() == 0) {
            return Optional.empty();
        }
        JsonNode answer = get("/clock/busy", Duration.ZERO);
        StringBuilder text = new StringBuilder("busy " + answer.path("busy").asInt() + ", status changes not taken "
                + answer.path("changesNotTaken").asInt());
        for (JsonNode thread : answer.path("threads")) {
            text.append("\n").append(thread.path("name").asText()).append(":\n");
            thread.path("stack").forEach(line -> text.append(line.asText()));
        }
        return Optional.of(text.toString());
    }

    @Override
    public double advance(double epochSeconds) {
        return post("/clock/advance", Json.object().put("to", epochSeconds)).path("offset").asDouble();
    }

    /** The status changes after sequence number {@code after}, waiting up to {@code wait} for one. */
    public List<Change> changes(long after, Duration wait) {
        List<Change> changes = new ArrayList<>();
        for (JsonNode c : get("/executions/changes?after=" + after + "&wait=" + wait.toMillis() / 1000.0, wait).path("changes")) {
            changes.add(new Change(c.path("seq").asLong(), c.path("executionArn").asText(), c.path("status").asText(),
                    c.path("at").asDouble()));
        }
        return changes;
    }

    private JsonNode get(String pathAndQuery, Duration wait) {
        return send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(wait.plusSeconds(10)).GET().build());
    }

    /**
     * Sets how many events end an execution's history (Step Functions': 25,000), so that a test reaches the limit in
     * seconds; with null, leaves it. Answers the limit in force.
     */
    public int historyLimit(Integer events) {
        var body = Json.object();
        if (events != null) {
            body.put("historyEvents", events);
        }
        return post("/limits", body).path("historyEvents").asInt();
    }

    private JsonNode post(String path, JsonNode body) {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
    }

    private JsonNode send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("moto launcher " + request.uri().getPath() + " answered "
                        + response.statusCode() + ": " + response.body());
            }
            return Json.tree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("moto launcher unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
