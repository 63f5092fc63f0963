package dev.pushdeploy.local.ecs;

import static dev.pushdeploy.local.ecs.FleetTest.TD1;
import static dev.pushdeploy.local.ecs.FleetTest.TD2;
import static dev.pushdeploy.local.ecs.FleetTest.TG;
import static dev.pushdeploy.local.ecs.FleetTest.motoService;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A rolling deployment paces itself by the service's limits, as ECS documents them. The developer guide, "Deploy Amazon
 * ECS services by replacing tasks" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html):
 * "The minimumHealthyPercent represents the lower limit on the number of tasks that should be running for a service
 * during a deployment [...] This value is rounded up. [...] if the minimum healthy percent is 75% and the desired task
 * count is two, then the scheduler can't stop any tasks due to the resulting value also being two." and "The
 * maximumPercent represents the upper limit on the number of tasks that should be running for a service during a
 * rolling deployment [...] This value is rounded down." ECS's API reference (DeploymentConfiguration) says which tasks
 * count: maximumPercent limits "the number of your service's tasks that are allowed in the RUNNING or PENDING state",
 * minimumHealthyPercent "the number of your service's tasks that must remain in the RUNNING state".
 *
 * <p>The pipeline's own {@code RollingLimits} (the release parameters' check) says the same: with 1 desired task,
 * maximumPercent 100 and minimumHealthyPercent 100, ECS may neither start a new task nor stop the old one, so the rollout
 * replaces nothing and runs into its deadline (TIMED_OUT on AWS), locally as well.
 */
class FleetRollingLimitsTest {
    final FleetTest.ManualClock clock = new FleetTest.ManualClock();

    @Test
    void aDeploymentTheLimitsLetReplaceNoTaskStallsInsteadOfCompleting() {
        Fleet fleet = new Fleet(clock, FleetTest::definition);
        fleet.adopt(service(TD1, 1, 100, 100));
        fleet.updated(service(TD2, 1, 100, 100), service(TD2, 1, 100, 100));
        int mostLive = 0;
        for (int t = 1; t <= 120; t++) {
            clock.at(t);
            mostLive = Math.max(mostLive, fleet.listTasks("pushdeploy", "web", "RUNNING", null, null).size());
        }

        JsonNode service = describe(fleet, 1, 100, 100);
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

    /**
     * Each step of simulated time: the tasks ECS wants running (at most maximumPercent of desired, rounded down), the
     * healthy ones (at least minimumHealthyPercent of desired, rounded up), the most new tasks started in one step, and
     * when the deployment completed (-1: it did not, within 120 s).
     */
    @ParameterizedTest(name = "{0} task(s) at minimumHealthyPercent {1}, maximumPercent {2}")
    @CsvSource({
            // desired, min %, max %, most tasks, fewest healthy, largest batch, completed at (s)
            "2, 100, 200, 4, 2, 2, 8",       // the template's defaults: the whole new set at once, as before
            "4, 50, 100, 4, 2, 2, 10",       // stop two, start two, twice
            "4, 100, 150, 6, 4, 2, 13",      // start two, then stop two and start two, then stop the last two
            "1, 0, 100, 1, 0, 1, 5",         // stop the old task first, then start the new one
            "1, 100, 100, 1, 1, 0, -1",      // no room on either side: nothing is replaced
            "3, 100, 100, 3, 3, 0, -1",
            "2, 75, 100, 2, 2, 0, -1",       // the guide's example: 75 % of 2, rounded up, is 2
    })
    void aRollingDeploymentKeepsWithinItsLimits(int desired, int minimumHealthy, int maximum, int mostTasks, int fewestHealthy,
                                                int largestBatch, double completedAt) {
        Fleet fleet = new Fleet(clock, FleetTest::definition);
        fleet.adopt(service(TD1, desired, minimumHealthy, maximum));
        fleet.updated(service(TD2, desired, minimumHealthy, maximum), service(TD2, desired, minimumHealthy, maximum));
        String id = describe(fleet, desired, minimumHealthy, maximum).path("deployments").get(0).path("id").asText();
        int most = 0;
        int fewest = Integer.MAX_VALUE;
        int batch = 0;
        double completed = -1;
        Set<String> started = new HashSet<>();
        for (double t = 0; t <= 120 && completed < 0; t += Fleet.STEP) {
            clock.at(t);
            most = Math.max(most, fleet.listTasks("pushdeploy", "web", "RUNNING", null, null).size());
            fewest = (int) Math.min(fewest, fleet.targets(TG).orElseThrow().stream().filter(x -> x.state().equals("healthy")).count());
            int before = started.size();
            started.addAll(fleet.listTasks("pushdeploy", "web", "RUNNING", id, null));
            batch = Math.max(batch, started.size() - before);
            if (describe(fleet, desired, minimumHealthy, maximum).path("deployments").get(0).path("rolloutState").asText()
                    .equals("COMPLETED")) {
                completed = t;
            }
        }

        assertEquals(mostTasks, most, "most tasks desired RUNNING at once");
        assertEquals(fewestHealthy, fewest, "fewest healthy tasks at once");
        assertEquals(largestBatch, batch, "most new tasks started at once");
        assertEquals(completedAt, completed, "completed at");
        if (completedAt >= 0) {
            assertEquals(desired, describe(fleet, desired, minimumHealthy, maximum).path("runningCount").asInt());
        }
    }

    /** The service: {@code desired} tasks with the given limits, the breaker with rollback. */
    private static ObjectNode service(String taskDefinition, int desired, int minimumHealthy, int maximum) {
        ObjectNode service = motoService(taskDefinition);
        service.put("desiredCount", desired);
        ((ObjectNode) service.path("deploymentConfiguration")).put("maximumPercent", maximum)
                .put("minimumHealthyPercent", minimumHealthy);
        return service;
    }

    private static JsonNode describe(Fleet fleet, int desired, int minimumHealthy, int maximum) {
        ObjectNode service = service(TD1, desired, minimumHealthy, maximum);
        fleet.decorate(service);
        return service;
    }
}
