package dev.pushdeploy.local.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pushdeploy.ops.Json;
import dev.pushdeploy.ops.SecretMove;
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
