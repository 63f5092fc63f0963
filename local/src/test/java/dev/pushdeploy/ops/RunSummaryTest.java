package dev.pushdeploy.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The end of a followed run as the operator's commands print it, read from an execution history shaped as the
 * workflow writes it: Prepare's request (the live slots), RotateSecrets' answer, Finalize's record.
 */
class RunSummaryTest {
    private static final String TD = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:";

    @ParameterizedTest(name = "{0} ending on web:{3}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "SUCCEEDED       | a | 2 | 3 | APP_SIGNING_KEY a → b, DB_PASSWORD a → b (DB_USER app_b)                                                 | b",
        "ROLLED_BACK     | a | 2 | 2 | APP_SIGNING_KEY a → b (rolled back, live: a), DB_PASSWORD a → b (DB_USER app_b; rolled back, live: a) | a",
        "ROLLBACK_FAILED | a | 2 | 2 | APP_SIGNING_KEY a → b (rolled back, live: a), DB_PASSWORD a → b (DB_USER app_b; rolled back, live: a) | a",
        "ROLLED_BACK     | - | 1 | 1 | APP_SIGNING_KEY - → b (rolled back, live: none), DB_PASSWORD - → b (DB_USER app_b; rolled back, live: none) | -",
        "INTERRUPTED     | a | 2 | 9 | APP_SIGNING_KEY a → b, DB_PASSWORD a → b (DB_USER app_b)                                                 | -",
        "ABORTED         | a | 2 | - | APP_SIGNING_KEY a → b, DB_PASSWORD a → b (DB_USER app_b)                                                 | -"})
    void theSecretsSayWhichSlotIsLiveAfterTheRun(String outcome, String before, int previous, Integer ended, String line, String live) {
        RunSummary summary = RunSummary.of(description(outcome), history(before, previous, ended), List.of());

        assertEquals(line, String.join(", ", summary.secrets().stream().map(SecretMove::describe).toList()));
        JsonNode json = Json.mapper().valueToTree(summary).path("secrets");
        assertEquals(2, json.size(), json.toString());
        assertEquals("b", json.get(0).path("to").asText(), json.toString());
        assertEquals(live, json.get(1).path("live").asText(null), json.toString());
        assertEquals("app_b", json.get(1).path("DB_USER").asText(), json.toString());
        assertEquals(ended == null ? null : TD + ended, summary.taskDefinition());
        assertTrue(summary.secrets().stream().allMatch(m -> m.to().equals("b")));
    }

    private static JsonNode description(String outcome) {
        ObjectNode d = Json.object().put("executionArn", "arn:aws:states:us-east-1:123456789012:execution:pushdeploy-deploy:run")
                .put("name", "run").put("startDate", 100.0).put("stopDate", 130.0);
        return outcome.equals("SUCCEEDED") ? d.put("status", "SUCCEEDED").put("output", "{\"final\":{\"outcome\":\"SUCCEEDED\"}}")
                : outcome.equals("ABORTED") ? d.put("status", "ABORTED") : d.put("status", "FAILED").put("error", outcome).put("cause", "why");
    }

    /** Prepare's request, RotateSecrets' answer into slot b, the registration of web:3, and Finalize's record of {@code ended}. */
    private static ArrayNode history(String before, int previous, Integer ended) {
        ObjectNode request = Json.object().put("requestId", "run").put("action", "DEPLOY").put("cluster", "pushdeploy")
                .put("service", "web").put("previousTaskDefinition", TD + previous);
        ObjectNode slots = request.putObject("liveSlots");
        if (before != null) {
            slots.put("APP_SIGNING_KEY", before).put("DB_PASSWORD", before);
        }
        ObjectNode document = Json.object().set("request", request);
        ArrayNode history = Json.mapper().createArrayNode();
        exited(history, "Prepare", document);
        document.putObject("secrets").putArray("secrets")
                .add(Json.object().put("name", "APP_SIGNING_KEY").put("slot", "b").put("parameter", "/pushdeploy/web/app-signing-key/b"))
                .add(Json.object().put("name", "DB_PASSWORD").put("slot", "b").put("parameter", "/pushdeploy/web/db-password/b")
                        .put("usernameEnv", "DB_USER").put("username", "app_b"));
        exited(history, "RotateSecrets", document);
        document.putObject("rollout").put("taskDefinition", TD + 3).put("deploymentId", "ecs-svc/1");
        exited(history, "StartDeployment", document);
        if (ended != null) {
            document.putObject("final").put("outcome", "X").put("taskDefinition", TD + ended).put("previousTaskDefinition", TD + previous);
            exited(history, "Finalize", document);
        }
        return history;
    }

    private static void exited(ArrayNode history, String state, ObjectNode document) {
        history.addObject().put("type", "TaskStateExited").putObject("stateExitedEventDetails").put("name", state)
                .put("output", document.toString());
    }
}
