package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.run.EventRule;
import dev.pushdeploy.local.template.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The rules that wake a waiting workflow, evaluated for the default deployment and matched with
 * AWS's matcher (event-ruler) against ECS's documented sample events: a deployment of the stack's
 * service that completed or failed, and a stopped task of it, reach RolloutEvents; a deployment
 * still in progress, another service's events and a task still running do not.
 */
class RolloutEventRulesTest {
    private static final Deployment STACK = Deployments.withRelease(Map.of(), "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:" + "1".repeat(64));
    private static final EventRule RULES = new EventRule(Map.of(
            "deployment", STACK.properties("RolloutDeploymentEventsRule").path("EventPattern").toString(),
            "task", STACK.properties("RolloutTaskEventsRule").path("EventPattern").toString()));

    @ParameterizedTest
    @CsvSource({
        "ecs-deployment-completed.json, deployment",
        "ecs-deployment-failed.json, deployment",
        "ecs-deployment-in-progress.json, ''",
        "ecs-deployment-rollback-in-progress.json, ''",
        "ecs-service-steady-state.json, ''",
        "ecs-task-stopped.json, task"})
    void eachSampleReachesTheFunctionOrNot(String file, String rule) throws IOException {
        assertEquals(rule.isEmpty() ? List.of() : List.of(rule), RULES.matching(sample(file).toString()), file);
    }

    @Test
    void anotherServicesEventsAndARunningTaskAreNotForUs() throws IOException {
        ObjectNode otherService = sample("ecs-deployment-completed.json");
        otherService.putArray("resources").add("arn:aws:ecs:us-east-1:123456789012:service/pushdeploy/other");
        ObjectNode otherTask = sample("ecs-task-stopped.json");
        ((ObjectNode) otherTask.path("detail")).put("group", "service:other");
        ObjectNode running = sample("ecs-task-stopped.json");
        ((ObjectNode) running.path("detail")).put("lastStatus", "RUNNING");
        for (ObjectNode event : List.of(otherService, otherTask, running)) {
            assertEquals(List.of(), RULES.matching(event.toString()), event.toString());
        }
    }

    @Test
    void bothRulesTargetTheRolloutEventsFunction() {
        for (String rule : List.of("RolloutDeploymentEventsRule", "RolloutTaskEventsRule")) {
            String target = STACK.properties(rule).path("Targets").get(0).path("Arn").asText();
            assertEquals(STACK.properties(rule + "Permission").path("FunctionName").asText(), target, rule);
            assertEquals(true, target.contains("RolloutEventsFunction"), target);
        }
    }

    private static ObjectNode sample(String file) throws IOException {
        return (ObjectNode) Json.tree(Files.readString(Repo.events(file)));
    }
}
