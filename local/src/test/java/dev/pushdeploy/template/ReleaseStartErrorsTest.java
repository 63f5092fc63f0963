package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Audit (Step Functions' catch semantics): the release's {@code startExecution.sync:2} tasks (DeployService, RollBackService)
 * catch {@code States.TaskFailed} first, to read a child execution's end from the error's Cause
 * ({@code States.StringToJson($.failure.Cause)} in ReadDeployFailure / ReadRollbackFailure). Step Functions documents
 * {@code States.TaskFailed} in a catcher as a wildcard: "The name States.TaskFailed also acts a wildcard and matches any
 * error except for States.Timeout" (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
 * So an error of the start call itself (StartExecution refused: ExecutionAlreadyExists, throttled past the Retry,
 * ExecutionLimitExceeded, a KMS error of the child's state machine key) reaches the same catcher, and its Cause is the
 * API's error message, not a child's description: StringToJson fails in a Pass state (no Catch possible), the Map
 * iteration fails, the Map (no Catch) fails and terminates the other iterations, whose running deployments Step Functions
 * stops ("A task can be aborted if: ... An iteration of a Map state fails with an uncaught error. ... if a Step Functions
 * states:startExecution.sync task is aborted, it will call the Step Functions StopExecution API action",
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html). The release ends FAILED without its Record
 * and without rolling back what went live; the fallback the ASL has for "Not started" (DeployUnknown, RollbackUnknown,
 * reached by the States.ALL catcher) is never reached for such an error. The start errors: Step Functions' guide names
 * {@code StepFunctions.ExecutionLimitExceeded} for StartExecution from a Task (concepts-nested-workflows); a start that
 * is retried after its first call went through (InternalServerError, SdkClientException) finds the execution's name
 * taken once that child has ended (ExecutionAlreadyExists; ReleaseIT sees it when a stopped release is redriven).
 */
class ReleaseStartErrorsTest {
    /** Errors of the StartExecution call itself, as the optimised integration names them (StepFunctions.&lt;exception&gt;). */
    private static final List<String> START_CALL_ERRORS = List.of(
            "StepFunctions.ExecutionAlreadyExistsException",
            "StepFunctions.ThrottlingException",
            "StepFunctions.ExecutionLimitExceeded",
            "StepFunctions.KmsThrottlingException");

    @Test
    void anErrorOfTheStartCallIsNotReadAsAChildsDescription() throws IOException {
        JsonNode definition = Json.tree(Files.readString(Repo.ROOT.resolve("statemachine/release.asl.json"))
                .replaceAll("\\$\\{ReleaseTimeoutSeconds}", "57600").replaceAll("\\$\\{[A-Za-z]+}", "x"));
        Map<String, JsonNode> states = new LinkedHashMap<>();
        collect(definition.path("States"), states);
        List<String> problems = new ArrayList<>();
        int syncTasks = 0;
        for (Map.Entry<String, JsonNode> entry : states.entrySet()) {
            JsonNode task = entry.getValue();
            if (!task.path("Resource").asText().endsWith("startExecution.sync:2")) {
                continue;
            }
            syncTasks++;
            for (String error : START_CALL_ERRORS) {
                JsonNode catcher = firstMatching(task.path("Catch"), error);
                if (catcher == null) {
                    problems.add(entry.getKey() + ": " + error + " is not caught at all");
                    continue;
                }
                String next = catcher.path("Next").asText();
                String cause = catcher.path("ResultPath").asText("$") + ".Cause";
                String parameters = states.get(next).path("Parameters").toString();
                if (parameters.contains("States.StringToJson(" + cause + ")")) {
                    problems.add(entry.getKey() + ": " + error + " (the start call's own error, its Cause the API's message) is caught by "
                            + catcher.path("ErrorEquals") + " (a wildcard for every error but States.Timeout) and goes to " + next
                            + ", whose States.StringToJson(" + cause + ") cannot parse it: the Pass state fails, the Map with it,"
                            + " its other iterations' executions (deployments or rollbacks) are stopped and the release ends without its Record");
                }
            }
        }
        assertEquals(2, syncTasks, "DeployService and RollBackService");
        assertEquals(List.of(), problems);
    }

    /** The first catcher whose ErrorEquals matches {@code error} as Step Functions matches it. */
    private static JsonNode firstMatching(JsonNode catchers, String error) {
        for (JsonNode catcher : catchers) {
            for (JsonNode name : catcher.path("ErrorEquals")) {
                if (matches(name.asText(), error)) {
                    return catcher;
                }
            }
        }
        return null;
    }

    /**
     * States.ALL: any error but the terminal States.Runtime and States.DataLimitExceeded; States.TaskFailed: any error but
     * States.Timeout (and the terminal ones); any other name: itself.
     */
    static boolean matches(String name, String error) {
        boolean terminal = error.equals("States.Runtime") || error.equals("States.DataLimitExceeded");
        return switch (name) {
            case "States.ALL" -> !terminal;
            case "States.TaskFailed" -> !terminal && !error.equals("States.Timeout");
            default -> name.equals(error);
        };
    }

    private static void collect(JsonNode states, Map<String, JsonNode> into) {
        states.fields().forEachRemaining(e -> {
            into.put(e.getKey(), e.getValue());
            collect(e.getValue().path("ItemProcessor").path("States"), into);
        });
    }
}
