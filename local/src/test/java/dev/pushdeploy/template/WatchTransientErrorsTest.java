package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Audit (Retry/Catch semantics): a wait for an event (WaitForScan, WaitForRollout, WaitForRollback) invokes its Lambda
 * function with {@code lambda:invoke.waitForTaskToken}, so the Lambda service's own errors are errors of the watch task:
 * "When Lambda hits the maximum number of invocations, the error is Lambda.TooManyRequestsException", and Step Functions
 * asks production code to handle Lambda.ServiceException and Lambda.SdkClientException
 * (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html). The watch's Retry retries them
 * ({@link TaskErrorHandlingTest#TRANSIENT}), but past that Retry only {@code dev.pushdeploy.error.TransientException} is
 * caught back to the watch: every Lambda.* transient error falls to the States.ALL catcher, which rolls a healthy rollout
 * back (WaitForRollout → Rollback), ends a way back ROLLBACK_FAILED with the service not verified (WaitForRollback →
 * RollbackFailed) or fails the push (WaitForScan → FailedBeforeDeployment). The check steps that start those watches
 * (CheckDeployment, CheckRollback, CheckAfterBake) catch the same Lambda errors into the watch, and each watch's Comment
 * says "A transient error that outlives the Retry watches again ... instead of rolling back" (README: a function timeout
 * "caught as a failure: a watch would roll a healthy deploy back").
 */
class WatchTransientErrorsTest {
    @Test
    void aTransientErrorPastAWatchsRetryWatchesAgain() throws IOException {
        JsonNode states = Json.tree(Files.readString(Repo.ASL_FILE)).path("States");
        List<String> watches = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : (Iterable<Map.Entry<String, JsonNode>>) states::fields) {
            JsonNode task = entry.getValue();
            if (!task.path("Resource").asText().endsWith(".waitForTaskToken")
                    || !task.path("Parameters").path("Payload").path("retries.$").asText().equals("$$.State.RetryCount")) {
                continue;
            }
            watches.add(entry.getKey());
            for (String error : new TreeSet<>(TaskErrorHandlingTest.TRANSIENT)) {
                JsonNode catcher = firstMatching(task.path("Catch"), error);
                String next = catcher == null ? "(uncaught)" : catcher.path("Next").asText();
                if (!entry.getKey().equals(next)) {
                    problems.add(entry.getKey() + ": " + error + " past the Retry goes to " + next + " (caught by "
                            + (catcher == null ? "nothing" : catcher.path("ErrorEquals")) + "), not back to the watch");
                }
            }
        }
        assertEquals(List.of("WaitForScan", "WaitForRollout", "WaitForRollback"), watches);
        assertEquals(List.of(), problems);
    }

    private static JsonNode firstMatching(JsonNode catchers, String error) {
        for (JsonNode catcher : catchers) {
            for (JsonNode name : catcher.path("ErrorEquals")) {
                if (ReleaseStartErrorsTest.matches(name.asText(), error)) {
                    return catcher;
                }
            }
        }
        return null;
    }
}
