package dev.pushdeploy.local.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.json.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RunResultTest {
    @ParameterizedTest
    @CsvSource({"SUCCEEDED, 0", "IGNORED, 0", "NOT_MATCHED, 0", "REJECTED, 2", "ROLLED_BACK, 3", "ROLLBACK_FAILED, 4",
        "SUPERSEDED, 5", "FINALIZE_FAILED, 1", "TIMED_OUT, 1"})
    void theExitCodeSaysHowTheRunEnded(String outcome, int exitCode) {
        assertEquals(exitCode, result(outcome).exitCode());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"status\":\"SUCCEEDED\",\"output\":\"{\\\"final\\\":{\\\"outcome\\\":\\\"SUCCEEDED\\\",\\\"reason\\\":\\\"healthy\\\"}}\"} | SUCCEEDED | healthy",
        "{\"status\":\"SUCCEEDED\",\"output\":\"{\\\"request\\\":{\\\"decision\\\":\\\"IGNORED\\\",\\\"decisionReason\\\":\\\"tag filtered\\\"}}\"} | IGNORED | tag filtered",
        "{\"status\":\"FAILED\",\"error\":\"ROLLED_BACK\",\"cause\":\"task crashed\"} | ROLLED_BACK | task crashed",
        "{\"status\":\"TIMED_OUT\"} | TIMED_OUT | "})
    void theOutcomeAndReasonComeFromTheExecution(String description, String outcome, String reason) {
        JsonNode parsed = Json.tree(description);
        assertEquals(outcome, History.outcome(parsed));
        assertEquals(reason, History.reason(parsed));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"verdict\":\"IN_PROGRESS\",\"reason\":\"1/2 tasks running\"} | IN_PROGRESS — 1/2 tasks running",
        "{\"decision\":\"REJECTED\",\"decisionReason\":\"image: bad digest\"} | REJECTED — image: bad digest",
        "{\"status\":\"WAITING\",\"reason\":\"held by run-1\"} | WAITING — held by run-1",
        "{\"secrets\":[{\"name\":\"KEY\",\"slot\":\"b\"}]} | KEY → slot b",
        "{\"taskDefinition\":\"arn:aws:ecs:us-east-1:1:task-definition/web:3\",\"created\":true} | registered web:3",
        "{\"deploymentId\":\"ecs-svc/1\",\"taskDefinition\":\"arn:aws:ecs:us-east-1:1:task-definition/web:2\",\"started\":false} | already on it: deployment ecs-svc/1 → web:2",
        "{\"outcome\":\"ROLLED_BACK\",\"reason\":\"crash\"} | ROLLED_BACK — crash"})
    void eachFunctionsAnswerIsDescribedInOneLine(String answer, String line) {
        assertEquals(line, ExecutionWatcher.describe(Json.tree(answer)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a | b | secrets: KEY a → b, DB_PASSWORD a → b (DB_USER app_b)",
        "a | a | secrets: KEY a → b (rolled back, live: a), DB_PASSWORD a → b (DB_USER app_b; rolled back, live: a)",
        "  | b | secrets: KEY - → b, DB_PASSWORD - → b (DB_USER app_b)"})
    void theSecretsLineSaysWhereEachSecretMoved(String before, String live, String line) {
        String rotated = "{\"secrets\":[{\"name\":\"KEY\",\"slot\":\"b\"},"
                + "{\"name\":\"DB_PASSWORD\",\"slot\":\"b\",\"usernameEnv\":\"DB_USER\",\"username\":\"app_b\"}]}";
        ArrayNode history = Json.mapper().createArrayNode();
        history.addObject().putObject("stateExitedEventDetails").put("name", "RotateSecrets")
                .put("output", "{\"secrets\":" + rotated + "}");
        Map<String, String> slotsBefore = before == null ? Map.of() : Map.of("KEY", before, "DB_PASSWORD", before);
        List<SecretMove> moves = SecretMove.of(history, slotsBefore, Map.of("KEY", live, "DB_PASSWORD", live));
        RunResult result = new RunResult("SUCCEEDED", null, null, null, null, null, List.of(), 1, "arn", history, moves, null);

        assertEquals(line, result.secretsLine());
        assertEquals("app_b", result.summary().get("secrets").get(1).get("DB_USER").asText());
        assertEquals("b", result.summary().get("secrets").get(0).get("to").asText());
    }

    @org.junit.jupiter.api.Test
    void withoutARotationTheSecretsAreUnchanged() {
        assertEquals("secrets: unchanged", result("REJECTED").secretsLine());
        assertEquals(List.of(), SecretMove.of(Json.mapper().createArrayNode(), Map.of(), Map.of()));
    }

    static RunResult result(String outcome) {
        return new RunResult(outcome, null, null, null, null, null, List.of(), 1, null, Json.object(), List.of(), null);
    }
}
