package dev.pushdeploy.local.ecs;

import static dev.pushdeploy.local.ecs.FleetTest.TD1;
import static dev.pushdeploy.local.ecs.FleetTest.TD2;
import static dev.pushdeploy.local.ecs.FleetTest.motoService;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Audit of the simulator's rolling update pacing against ECS's developer guide, "Deploy Amazon ECS services by replacing
 * tasks" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html): "The minimumHealthyPercent
 * represents the lower limit on the number of tasks that should be running for a service during a deployment [...]
 * This value is rounded up. [...] if the minimum healthy percent is 75% and the desired task count is two, then the
 * scheduler can't stop any tasks due to the resulting value also being two." and "The maximumPercent represents the
 * upper limit on the number of tasks that should be running for a service during a rolling deployment [...] This
 * value is rounded down." The pipeline's own {@code RollingLimits} (the release parameters' check) says the same: with
 * 1 desired task, maximumPercent 100 and minimumHealthyPercent 100, ECS may neither start a new task nor stop the old
 * one, so the rollout replaces nothing and runs into its deadline (TIMED_OUT on AWS).
 *
 * <p>The simulator reads both limits (they are echoed in DescribeServices) but {@link Fleet} never applies them: it
 * launches every new task at once and stops the old ones only once all new ones are ready, so the same deployment
 * completes in 8 s and the service deployment ends SUCCESSFUL: the pipeline judges HEALTHY locally what stalls on AWS.
 */
class FleetRollingLimitsTest {
    final FleetTest.ManualClock clock = new FleetTest.ManualClock();

    @Test
    void aDeploymentTheLimitsLetReplaceNoTaskStallsInsteadOfCompleting() {
        Fleet fleet = new Fleet(clock, FleetTest::definition);
        fleet.adopt(oneTask(TD1));
        fleet.updated(oneTask(TD2), oneTask(TD2));
        int mostLive = 0;
        for (int t = 1; t <= 120; t++) {
            clock.at(t);
            mostLive = Math.max(mostLive, fleet.listTasks("pushdeploy", "web", "RUNNING", null, null).size());
        }

        JsonNode service = describe(fleet);
        JsonNode primary = service.path("deployments").get(0);
        JsonNode serviceDeployment = fleet.describeServiceDeployment(
                fleet.serviceDeployments("pushdeploy", "web", Set.of(), null, null).orElseThrow().get(0)
                        .path("serviceDeploymentArn").asText()).orElseThrow();
        assertEquals(TD2, primary.path("taskDefinition").asText());
        assertEquals("IN_PROGRESS", primary.path("rolloutState").asText(),
                "ECS can neither start a task of web:2 (maximumPercent) nor stop the one of web:1 (minimumHealthyPercent): "
                        + primary);
        assertEquals("IN_PROGRESS", serviceDeployment.path("status").asText(),
                "a service deployment that replaced nothing is not SUCCESSFUL: " + serviceDeployment.path("status"));
        assertTrue(mostLive <= 1, "maximumPercent 100 of 1 task, rounded down: at most 1 task, not " + mostLive);
        assertEquals(1, service.path("runningCount").asInt(), "the web:1 task keeps running");
    }

    /** The service: 1 task, maximumPercent 100, minimumHealthyPercent 100, the breaker with rollback. */
    private static ObjectNode oneTask(String taskDefinition) {
        ObjectNode service = motoService(taskDefinition);
        service.put("desiredCount", 1);
        ((ObjectNode) service.path("deploymentConfiguration")).put("maximumPercent", 100).put("minimumHealthyPercent", 100);
        return service;
    }

    private static JsonNode describe(Fleet fleet) {
        ObjectNode service = oneTask(TD1);
        fleet.decorate(service);
        return service;
    }
}
