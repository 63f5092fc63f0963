package dev.pushdeploy.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.exception.SdkServiceException;
import java.util.function.Supplier;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * The Step Functions calls the CLI and the local runtime make. Descriptions and history events
 * come back as JSON in the service's own wire shape (field names as the API spells them, times as
 * epoch seconds), so they can be read and written out exactly as the service returns them.
 */
public final class StepFunctions {
    static final int READ_ATTEMPTS = 4;
    static final long READ_PAUSE_MILLIS = 500;
    /** Pages of newer events {@link #history(String, ArrayNode)} reads before it reads the whole history instead. */
    static final int NEWER_PAGES = 3;
    private final SfnClient sfn;

    public StepFunctions(SfnClient sfn) {
        this.sfn = sfn;
    }

    public String createStateMachine(String name, String definition, String roleArn) {
        return sfn.createStateMachine(r -> r.name(name).definition(definition).roleArn(roleArn)).stateMachineArn();
    }

    public String startExecution(String stateMachineArn, String name, String input) {
        return sfn.startExecution(r -> r.stateMachineArn(stateMachineArn).name(name).input(input)).executionArn();
    }

    /** The execution's name: the last part of its ARN. */
    public static String name(String executionArn) {
        return executionArn.substring(executionArn.lastIndexOf(':') + 1);
    }

    public JsonNode describeExecution(String executionArn) {
        return read(() -> json(sfn.describeExecution(r -> r.executionArn(executionArn))));
    }

    /**
     * The history of an execution that has ended, or none when the service keeps answering a server error
     * for it: its description alone then says how it ended.
     */
    public ArrayNode endedHistory(String executionArn) {
        return endedHistory(executionArn, Json.mapper().createArrayNode());
    }

    /** {@link #endedHistory(String)} after {@code known}, as {@link #history(String, ArrayNode)} reads it; {@code known} on a server error. */
    public ArrayNode endedHistory(String executionArn, ArrayNode known) {
        try {
            return history(executionArn, known);
        } catch (SdkServiceException e) {
            if (e.statusCode() < 500) {
                throw e;
            }
            return known;
        }
    }

    /** Every event of an execution, oldest first. */
    public ArrayNode history(String executionArn) {
        ArrayNode events = Json.mapper().createArrayNode();
        String token = null;
        do {
            String page = token;
            GetExecutionHistoryResponse response = read(() ->
                    sfn.getExecutionHistory(r -> r.executionArn(executionArn).maxResults(1000).nextToken(page)));
            response.events().forEach(e -> events.add(json(e)));
            token = response.nextToken();
        } while (token != null);
        return events;
    }

    /**
     * Every event of an execution, oldest first, given {@code known}: what a read before answered (its first events,
     * oldest first). Only the newer ones are read, newest first, down to the one after the last known (event ids count
     * from 1): a call when none is new. More than {@link #NEWER_PAGES} pages of them (a reader far behind), or an answer
     * that does not join on, and the whole history is read again. {@code known} itself is not changed.
     */
    public ArrayNode history(String executionArn, ArrayNode known) {
        if (known.isEmpty()) {
            return history(executionArn);
        }
        long last = known.get(known.size() - 1).path("id").asLong();
        TreeMap<Long, HistoryEvent> newer = new TreeMap<>();
        String token = null;
        for (int pages = 0; pages < NEWER_PAGES; pages++) {
            String page = token;
            GetExecutionHistoryResponse response = read(() -> sfn.getExecutionHistory(r -> r.executionArn(executionArn)
                    .reverseOrder(true).maxResults(1000).nextToken(page)));
            boolean reached = false;
            for (HistoryEvent event : response.events()) {
                if (event.id() > last) {
                    newer.put(event.id(), event);
                }
                reached |= event.id() <= last + 1;
            }
            token = response.nextToken();
            if (reached || token == null) {
                if (!newer.isEmpty() && (newer.firstKey() != last + 1 || newer.lastKey() != last + newer.size())) {
                    break;
                }
                ArrayNode events = Json.mapper().createArrayNode().addAll(known);
                newer.values().forEach(e -> events.add(json(e)));
                return events;
            }
        }
        return history(executionArn);
    }

    /** The state machine's executions, newest first, at most {@code limit}; {@code status} null for all. */
    public List<ExecutionListItem> executions(String stateMachineArn, ExecutionStatus status, int limit) {
        List<ExecutionListItem> found = new ArrayList<>();
        String token = null;
        do {
            String page = token;
            var response = sfn.listExecutions(r -> r.stateMachineArn(stateMachineArn).statusFilter(status)
                    .maxResults(Math.min(limit - found.size(), 1000)).nextToken(page));
            found.addAll(response.executions());
            token = response.nextToken();
        } while (token != null && found.size() < limit);
        return found;
    }

    /** Every state machine's ARN. */
    public List<String> stateMachines() {
        return sfn.listStateMachinesPaginator(r -> r.maxResults(1000)).stateMachines().stream().map(m -> m.stateMachineArn()).toList();
    }

    /** StopExecution: the execution ends ABORTED; its Catch clauses do not run. */
    public void stopExecution(String executionArn, String error, String cause) {
        sfn.stopExecution(r -> r.executionArn(executionArn).error(error).cause(cause));
    }

    /**
     * A read that a server error (5xx) outlived the SDK's own retries is tried again a few times, a second
     * apart: a command following a run should not end on one bad moment of the service (or the emulator).
     */
    static <T> T read(Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (SdkServiceException e) {
                if (e.statusCode() < 500 || attempt >= READ_ATTEMPTS) {
                    throw e;
                }
            }
            try {
                Thread.sleep(READ_PAUSE_MILLIS * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** An SDK model object as the JSON the service sent: wire field names, epoch-second times. */
    static JsonNode json(SdkPojo pojo) {
        ObjectNode node = Json.object();
        for (SdkField<?> field : pojo.sdkFields()) {
            Object value = field.getValueOrDefault(pojo);
            if (value != null) {
                node.set(field.locationName(), value(value));
            }
        }
        return node;
    }

    private static JsonNode value(Object value) {
        return switch (value) {
            case SdkPojo pojo -> json(pojo);
            case Instant instant -> Json.mapper().getNodeFactory().numberNode(instant.toEpochMilli() / 1000.0);
            case Collection<?> list -> {
                ArrayNode array = Json.mapper().createArrayNode();
                list.forEach(item -> array.add(value(item)));
                yield array;
            }
            case Map<?, ?> map -> {
                ObjectNode object = Json.object();
                map.forEach((k, v) -> object.set(String.valueOf(k), value(v)));
                yield object;
            }
            default -> Json.mapper().valueToTree(value);
        };
    }
}
