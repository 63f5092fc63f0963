package dev.pushdeploy.local.endpoint;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Counts the mutating AWS calls the emulator accepted, per execution. Calls tagged with
 * {@link ExecutionScope#HEADER} belong to that execution; untagged ones (the interpreter's own
 * service integrations) to the only execution running, if exactly one is.
 */
public final class WriteCounter {
    private static final List<String> MUTATING_PREFIXES = List.of(
            "Create", "Put", "Register", "Update", "Delete", "Deregister", "Start", "Stop", "Publish",
            "Send", "Tag", "Untag", "Label", "Unlabel", "Modify", "Set", "Attach", "Detach", "Add", "Remove",
            "Run", "Terminate", "BatchWrite", "BatchDelete", "TransactWrite", "Rotate", "Restore", "Reset");

    private final Map<String, List<String>> writes = new ConcurrentHashMap<>();
    private final List<String> all = new CopyOnWriteArrayList<>();
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    /** Whether an operation changes state (by its name, as AWS names operations). */
    public static boolean isMutating(String operation) {
        return MUTATING_PREFIXES.stream().anyMatch(operation::startsWith);
    }

    public void executionStarted(String execution) {
        running.add(execution);
    }

    public void executionEnded(String execution) {
        running.remove(execution);
    }

    /** Records one accepted call if it is mutating; {@code service:Operation} is kept for reports. */
    void record(AwsRequest request, int status) {
        String operation = request.operation();
        if (status >= 300 || operation.isEmpty() || !isMutating(operation)
                || request.header(ExecutionScope.INTERNAL_HEADER) != null) {
            return;
        }
        all.add(request.service() + ":" + operation);
        String execution = request.header(ExecutionScope.HEADER);
        if (execution == null) {
            Set<String> now = Set.copyOf(running);
            if (now.size() != 1) {
                return;
            }
            execution = now.iterator().next();
        }
        writes.computeIfAbsent(execution, k -> new CopyOnWriteArrayList<>()).add(request.service() + ":" + operation);
    }

    /** The mutating calls of one execution, in order ({@code service:Operation}). */
    public List<String> writes(String execution) {
        return List.copyOf(writes.getOrDefault(execution, List.of()));
    }

    /** Every mutating call accepted since the last reset, whoever made it (the runtime's own excepted). */
    public List<String> all() {
        return List.copyOf(all);
    }

    public void reset() {
        all.clear();
        writes.clear();
        running.clear();
    }
}
