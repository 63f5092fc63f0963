package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ledger.LockService;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.request.ScanGate;
import dev.pushdeploy.model.QuickRetry;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.template.CfnTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * How every Task of the state machine treats errors: transient ones (AWS's recommended list for
 * Lambda service errors, throttling, our TransientException) retried with backoff; deterministic
 * ones (invalid input, configuration, a rotation that cannot work) never retried, matched before
 * the catch-all; and a TimeoutSeconds just above the function's own timeout, so a hung invoke ends.
 */
class TaskErrorHandlingTest {
    static final Set<String> TRANSIENT = Set.of(
            "Lambda.ClientExecutionTimeoutException", "Lambda.ServiceException", "Lambda.AWSLambdaException",
            "Lambda.SdkClientException", "Lambda.TooManyRequestsException", "dev.pushdeploy.error.TransientException");
    static final Set<String> FINAL = Set.of(
            "dev.pushdeploy.error.InvalidRequestException", "dev.pushdeploy.error.ConfigurationException",
            "dev.pushdeploy.error.RotationFailedException");
    /** Seconds a Task may wait beyond its function's timeout (invoke overhead, a SnapStart restore). */
    static final int TIMEOUT_MARGIN = 30;

    private static final CfnTemplate TEMPLATE = Repo.template();

    private static Map<String, JsonNode> tasks() throws IOException {
        JsonNode states = Json.tree(Files.readString(Repo.ASL_FILE)).path("States");
        Map<String, JsonNode> tasks = new LinkedHashMap<>();
        states.fields().forEachRemaining(e -> {
            if ("Task".equals(e.getValue().path("Type").asText())) {
                tasks.put(e.getKey(), e.getValue());
            }
        });
        assertFalse(tasks.isEmpty());
        return tasks;
    }

    private static Set<String> errors(JsonNode retrier) {
        Set<String> names = new TreeSet<>();
        retrier.path("ErrorEquals").forEach(n -> names.add(n.asText()));
        return names;
    }

    @Test
    void transientErrorsAreRetriedWithBackoffAndDeterministicOnesNever() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, JsonNode> task : tasks().entrySet()) {
            List<JsonNode> retry = new ArrayList<>();
            task.getValue().path("Retry").forEach(retry::add);
            int transientAt = -1;
            int finalAt = -1;
            int catchAllAt = -1;
            for (int i = 0; i < retry.size(); i++) {
                Set<String> names = errors(retry.get(i));
                if (names.equals(new TreeSet<>(TRANSIENT))) {
                    transientAt = i;
                    if (retry.get(i).path("MaxAttempts").asInt() < 3 || retry.get(i).path("BackoffRate").asDouble() < 1.5) {
                        problems.add(task.getKey() + ": transient errors need several attempts with backoff");
                    }
                } else if (names.equals(new TreeSet<>(FINAL))) {
                    finalAt = i;
                    if (retry.get(i).path("MaxAttempts").asInt(-1) != 0) {
                        problems.add(task.getKey() + ": deterministic errors must not be retried");
                    }
                } else if (names.contains("States.ALL")) {
                    catchAllAt = i;
                }
            }
            if (transientAt < 0) {
                problems.add(task.getKey() + ": no retrier with exactly " + new TreeSet<>(TRANSIENT));
            }
            if (finalAt < 0 || (catchAllAt >= 0 && finalAt > catchAllAt)) {
                problems.add(task.getKey() + ": " + FINAL + " must be matched (MaxAttempts 0) before States.ALL");
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void everyErrorNameOfOursIsAClass() throws IOException, ClassNotFoundException {
        for (JsonNode task : tasks().values()) {
            for (JsonNode clause : List.of(task.path("Retry"), task.path("Catch"))) {
                for (JsonNode entry : clause) {
                    for (String name : errors(entry)) {
                        if (name.startsWith("dev.pushdeploy.")) {
                            assertTrue(RuntimeException.class.isAssignableFrom(Class.forName(name)), name);
                        }
                    }
                }
            }
        }
    }

    @Test
    void everyTaskTimesOutJustAfterItsFunction() throws IOException {
        JsonNode substitutions = TEMPLATE.properties("StateMachine").path("DefinitionSubstitutions");
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, JsonNode> task : tasks().entrySet()) {
            boolean watch = task.getValue().path("Resource").asText().endsWith(".waitForTaskToken");
            String placeholder = (watch ? task.getValue().path("Parameters").path("FunctionName") : task.getValue().path("Resource"))
                    .asText().replaceAll("^\\$\\{(.+)}$", "$1");
            String alias = substitutions.path(placeholder).path("Ref").asText();
            String function = TEMPLATE.properties(alias).path("FunctionName").path("Ref").asText();
            int functionTimeout = TEMPLATE.properties(function).path("Timeout").asInt();
            int taskTimeout = task.getValue().path("TimeoutSeconds").asInt(-1);
            if (watch) {
                String rollout = task.getValue().path("Parameters").path("Payload").path("rollout.$").asText();
                String path = task.getValue().path("TimeoutSecondsPath").asText();
                Integer shortest = path.equals(rollout + ".recheckSeconds") ? Integer.valueOf(Rollout.MIN_RECHECK_SECONDS)
                        : path.equals("$.lock.nextPollSeconds") && task.getKey().equals("WaitForLock")
                        ? Integer.valueOf(LockService.MIN_TURN_WAIT_SECONDS)
                        : path.equals("$.scan.recheckSeconds") && task.getKey().equals("WaitForScan")
                        ? Integer.valueOf(ScanGate.MIN_RECHECK_SECONDS) : null;
                if (shortest == null || shortest <= functionTimeout) {
                    problems.add(task.getKey() + " (" + function + ", Timeout " + functionTimeout + " s): a watch times out after "
                            + "its rollout's or scan's recheckSeconds or the lock's turn wait, at least " + shortest
                            + " s, longer than its function, not " + path);
                }
            } else if (taskTimeout <= functionTimeout || taskTimeout > functionTimeout + TIMEOUT_MARGIN) {
                problems.add(task.getKey() + " (" + function + ", Timeout " + functionTimeout + " s): TimeoutSeconds "
                        + taskTimeout + " is not in (" + functionTimeout + ", " + (functionTimeout + TIMEOUT_MARGIN) + "]");
            }
        }
        assertEquals(List.of(), problems);
    }

    /**
     * A wait for an event (the scan's, the rollout's, the way back's) looks again soon, through its Retry, as many times as
     * {@link QuickRetry#RETRIES}: exactly the Retry's attempts for a transient error, so its last attempt leaves the task
     * waiting for the recheck. One more would be thrown past the Retry to the Catch, which watches again at once: looks
     * without a wait between them. A transient error that outlives the Retry all the same watches again, never ends the run.
     */
    @Test
    void aWatchLooksAgainSoonAsOftenAsItsRetryAllowsAndNoMore() throws IOException {
        List<String> watches = new ArrayList<>();
        for (Map.Entry<String, JsonNode> task : tasks().entrySet()) {
            JsonNode payload = task.getValue().path("Parameters").path("Payload");
            if (!payload.path("retries.$").asText().equals("$$.State.RetryCount")) {
                continue;
            }
            watches.add(task.getKey());
            assertEquals("$$.State.EnteredTime", payload.path("waitingSince.$").asText(), task.getKey());
            for (JsonNode retrier : task.getValue().path("Retry")) {
                if (errors(retrier).equals(new TreeSet<>(TRANSIENT))) {
                    assertEquals(QuickRetry.RETRIES, retrier.path("MaxAttempts").asInt(), task.getKey());
                }
            }
            JsonNode caught = null;
            for (JsonNode catcher : task.getValue().path("Catch")) {
                if (caught == null && (errors(catcher).contains("dev.pushdeploy.error.TransientException")
                        || errors(catcher).contains("States.ALL"))) {
                    caught = catcher;
                }
            }
            assertEquals(task.getKey(), caught == null ? null : caught.path("Next").asText(),
                    task.getKey() + ": a transient error past the Retry watches again");
        }
        assertEquals(List.of("WaitForScan", "WaitForRollout", "WaitForRollback"), watches);
    }
}
