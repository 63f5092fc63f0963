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
    /**
     * The errors of the Invoke call itself (AWS's recommended list without throttling): the function may have run, or may
     * still run, when Step Functions sees one.
     */
    static final Set<String> INVOKE_FAILED = Set.of(
            "Lambda.ClientExecutionTimeoutException", "Lambda.ServiceException", "Lambda.AWSLambdaException",
            "Lambda.SdkClientException");
    /**
     * What a step that must run alone retries and catches only once the invocation may have ended: a failed Invoke call,
     * and the state's own timeout (Step Functions does not stop the invocation it gave up on).
     */
    static final Set<String> FENCED = union(INVOKE_FAILED, Set.of("States.Timeout"));
    /**
     * The steps two invocations of which must never run at once: RotateSecrets (two ALTER ROLEs and slot writes
     * interleaved leave role and slot on different passwords), StartDeployment and Rollback (an earlier invocation's
     * UpdateService landing after the run moved on puts the service back where the run took it from).
     */
    static final Set<String> ALONE = Set.of("RotateSecrets", "StartDeployment", "Rollback");
    /** Lambda's longest init (an on-demand start; a SnapStart restore): an invocation ends this long after its Timeout at most. */
    static final int INIT_LIMIT = 10;
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
            Set<String> quick = ALONE.contains(task.getKey()) ? difference(TRANSIENT, INVOKE_FAILED) : TRANSIENT;
            for (int i = 0; i < retry.size(); i++) {
                Set<String> names = errors(retry.get(i));
                if (names.equals(new TreeSet<>(quick))) {
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
                problems.add(task.getKey() + ": no retrier with exactly " + new TreeSet<>(quick));
            }
            if (finalAt < 0 || (catchAllAt >= 0 && finalAt > catchAllAt)) {
                problems.add(task.getKey() + ": " + FINAL + " must be matched (MaxAttempts 0) before States.ALL");
            }
        }
        assertEquals(List.of(), problems);
    }

    /**
     * A step that must run alone retries a failed Invoke call only when any earlier invocation has ended (its function's
     * Timeout and Lambda's init after the error, which came after that invocation started), and a failed call it catches
     * goes on only after as long a Wait: so no later step, and no later run once the lock is released, meets it.
     */
    @Test
    void aStepThatMustRunAloneGoesOnAfterAFailedInvokeOnlyOnceThatInvocationHasEnded() throws IOException {
        JsonNode states = Json.tree(Files.readString(Repo.ASL_FILE)).path("States");
        List<String> problems = new ArrayList<>();
        for (String step : new TreeSet<>(ALONE)) {
            JsonNode task = states.path(step);
            int ended = functionTimeout(task) + INIT_LIMIT;
            JsonNode retrier = null;
            for (JsonNode r : task.path("Retry")) {
                if (errors(r).equals(FENCED)) {
                    retrier = r;
                } else if (errors(r).stream().anyMatch(INVOKE_FAILED::contains)) {
                    problems.add(step + ": a retrier mixes " + errors(r) + " with the failed Invoke calls");
                }
            }
            if (retrier == null) {
                problems.add(step + ": no retrier with exactly " + FENCED);
            } else if (retrier.path("IntervalSeconds").asInt(1) < ended || retrier.path("BackoffRate").asDouble(2.0) < 1.0
                    || retrier.has("JitterStrategy") && !retrier.path("JitterStrategy").asText().equals("NONE")
                    || retrier.has("MaxDelaySeconds") && retrier.path("MaxDelaySeconds").asInt() < ended
                    || retrier.path("MaxAttempts").asInt(3) < 2) {
                problems.add(step + ": a failed Invoke call is retried before the earlier invocation must have ended ("
                        + ended + " s, no jitter, at least two attempts): " + retrier);
            }
            JsonNode catchAll = null;
            JsonNode caught = null;
            for (JsonNode c : task.path("Catch")) {
                if (errors(c).equals(FENCED)) {
                    caught = c;
                } else if (errors(c).contains("States.ALL") && caught == null) {
                    problems.add(step + ": States.ALL is caught before the failed Invoke calls");
                } else if (errors(c).contains("States.ALL")) {
                    catchAll = c;
                }
            }
            JsonNode wait = caught == null ? null : states.path(caught.path("Next").asText());
            if (catchAll == null || wait == null || !wait.path("Type").asText().equals("Wait")
                    || wait.path("Seconds").asInt() < ended || !wait.path("Next").asText().equals(catchAll.path("Next").asText())
                    || !caught.path("ResultPath").asText().equals(catchAll.path("ResultPath").asText())) {
                problems.add(step + ": a caught failed Invoke call must wait " + ended + " s in a Wait state, then go where States.ALL"
                        + " goes, with its ResultPath");
            }
        }
        assertEquals(List.of(), problems);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> left = new TreeSet<>(a);
        left.removeAll(b);
        return left;
    }

    /** The Timeout of the function a Task invokes (through its alias, as the state machine's substitutions name it). */
    private static int functionTimeout(JsonNode task) {
        JsonNode substitutions = TEMPLATE.properties("StateMachine").path("DefinitionSubstitutions");
        boolean watch = task.path("Resource").asText().endsWith(".waitForTaskToken");
        String placeholder = (watch ? task.path("Parameters").path("FunctionName") : task.path("Resource"))
                .asText().replaceAll("^\\$\\{(.+)}$", "$1");
        String alias = substitutions.path(placeholder).path("Ref").asText();
        String function = TEMPLATE.properties(alias).path("FunctionName").path("Ref").asText();
        return TEMPLATE.properties(function).path("Timeout").asInt();
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
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, JsonNode> task : tasks().entrySet()) {
            boolean watch = task.getValue().path("Resource").asText().endsWith(".waitForTaskToken");
            int functionTimeout = functionTimeout(task.getValue());
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
                    problems.add(task.getKey() + " (its function's Timeout " + functionTimeout + " s): a watch times out after "
                            + "its rollout's or scan's recheckSeconds or the lock's turn wait, at least " + shortest
                            + " s, longer than its function, not " + path);
                }
            } else if (taskTimeout <= functionTimeout || taskTimeout > functionTimeout + TIMEOUT_MARGIN) {
                problems.add(task.getKey() + " (its function's Timeout " + functionTimeout + " s): TimeoutSeconds "
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
