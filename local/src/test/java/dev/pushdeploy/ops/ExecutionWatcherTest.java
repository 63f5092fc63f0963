package dev.pushdeploy.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExecutionWatcherTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"status\":\"SUCCEEDED\",\"output\":\"{\\\"final\\\":{\\\"outcome\\\":\\\"SUCCEEDED\\\",\\\"reason\\\":\\\"healthy\\\"}}\"} | SUCCEEDED | healthy",
        "{\"status\":\"SUCCEEDED\",\"output\":\"{\\\"request\\\":{\\\"decision\\\":\\\"IGNORED\\\",\\\"decisionReason\\\":\\\"tag filtered\\\"}}\"} | IGNORED | tag filtered",
        "{\"status\":\"FAILED\",\"error\":\"ROLLED_BACK\",\"cause\":\"task crashed\"} | ROLLED_BACK | task crashed",
        "{\"status\":\"TIMED_OUT\"} | TIMED_OUT | ",
        "{\"status\":\"ABORTED\",\"error\":\"\",\"cause\":\"cancelled with pushdeploy cancel\"} | ABORTED | cancelled with pushdeploy cancel"})
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
        "{\"taskDefinition\":\"arn:aws:ecs:us-east-1:1:task-definition/web:2\",\"started\":false,\"serviceDeploymentArn\":\"arn:aws:ecs:us-east-1:1:service-deployment/c/web/Atdp2W4\"} | already on it: service deployment Atdp2W4 → web:2",
        "{\"taskDefinition\":\"arn:aws:ecs:us-east-1:1:task-definition/web:2\",\"started\":true} | deployment (id unknown) → web:2",
        "{\"outcome\":\"ROLLED_BACK\",\"reason\":\"crash\"} | ROLLED_BACK — crash"})
    void eachFunctionsAnswerIsDescribedInOneLine(String answer, String line) {
        assertEquals(line, ExecutionWatcher.describe(Json.tree(answer)));
    }
}
