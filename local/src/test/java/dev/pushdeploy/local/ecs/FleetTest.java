package dev.pushdeploy.local.ecs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.ledger.MutableClock;
import dev.pushdeploy.model.TaskDefinition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FleetTest {
    static final String TD1 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1";
    static final String TD2 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2";
    static final String TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/abc";

    static final JsonNode NO_OPTIONS = Json.object();

    final ManualClock clock = new ManualClock();
    Fleet fleet;

    @BeforeEach
    void adoptService() {
        fleet = new Fleet(clock, FleetTest::definition);
        fleet.adopt(motoService(TD1));
    }

    @Test
    void anAdoptedServiceRunsItsRevisionCompleteAndHealthy() {
        JsonNode service = describe();
        assertEquals(1, service.path("deployments").size());
        JsonNode primary = service.path("deployments").get(0);
        assertEquals("PRIMARY", primary.path("status").asText());
        assertEquals("COMPLETED", primary.path("rolloutState").asText());
        assertEquals(TD1, primary.path("taskDefinition").asText());
        assertEquals(2, primary.path("runningCount").asInt());
        assertEquals(2, service.path("runningCount").asInt());
        assertEquals(List.of("healthy", "healthy"), targetStates());
        assertEquals(Optional.of(200), fleet.smokeStatus("pushdeploy", "web"));
    }

    @Test
    void aServiceRunsWithItsOwnDeploymentConfigurationAndContainerPort() {
        ObjectNode own = motoService(TD1);
        own.putObject("deploymentConfiguration").put("maximumPercent", 150).put("minimumHealthyPercent", 50);
        ((ObjectNode) own.path("loadBalancers").get(0)).put("containerPort", 3000);
        fleet = new Fleet(clock, FleetTest::definition);
        fleet.adopt(own);

        JsonNode configuration = describe().path("deploymentConfiguration");
        assertEquals(150, configuration.path("maximumPercent").asInt());
        assertEquals(50, configuration.path("minimumHealthyPercent").asInt());
        assertFalse(configuration.path("deploymentCircuitBreaker").path("enable").asBoolean(), "ECS's default: no breaker");
        assertEquals(List.of(3000, 3000), fleet.targets(TG).orElseThrow().stream().map(Fleet.Target::port).toList());
    }

    @Test
    void aHealthyRolloutStartsTasksPassesHealthChecksDrainsTheOldTasksAndCompletes() {
        fleet.updated(motoService(TD2), NO_OPTIONS);
        JsonNode started = describe();
        assertEquals(2, started.path("deployments").size());
        JsonNode ours = started.path("deployments").get(0);
        assertEquals("PRIMARY", ours.path("status").asText());
        assertEquals(TD2, ours.path("taskDefinition").asText());
        assertEquals("IN_PROGRESS", ours.path("rolloutState").asText());
        assertEquals("ACTIVE", started.path("deployments").get(1).path("status").asText());
        assertEquals(TD2, started.path("taskDefinition").asText());

        clock.at(0.5);
        assertEquals(2, describe().path("deployments").get(0).path("pendingCount").asInt());
        clock.at(4);
        JsonNode running = describe().path("deployments").get(0);
        assertEquals(2, running.path("runningCount").asInt());
        assertEquals(List.of("healthy", "healthy", "initial", "initial"), targetStates());
        List<String> ours2 = fleet.listTasks("pushdeploy", "web", "RUNNING", ours.path("id").asText(), null);
        assertEquals(2, ours2.size());
        JsonNode task = fleet.describeTask("pushdeploy", ours2.get(0)).orElseThrow();
        assertEquals(ours.path("id").asText(), task.path("startedBy").asText());
        assertEquals("RUNNING", task.path("lastStatus").asText());
        assertEquals(TD2, task.path("taskDefinitionArn").asText());
        assertEquals("app", task.path("containers").get(0).path("name").asText());
        assertEquals("privateIPv4Address", task.path("attachments").get(0).path("details").get(2).path("name").asText());

        clock.at(12);
        JsonNode done = describe();
        assertEquals(1, done.path("deployments").size());
        assertEquals("COMPLETED", done.path("deployments").get(0).path("rolloutState").asText());
        assertEquals(List.of("healthy", "healthy"), targetStates());
        List<String> stopped = fleet.listTasks("pushdeploy", "web", "STOPPED", null, null);
        assertEquals(2, stopped.size());
        JsonNode old = fleet.describeTask("pushdeploy", stopped.get(0)).orElseThrow();
        assertEquals(TD1, old.path("taskDefinitionArn").asText());
        assertEquals("ServiceSchedulerInitiated", old.path("stopCode").asText());
        assertEquals(0, old.path("containers").get(0).path("exitCode").asInt());
        assertTrue(done.path("events").get(0).path("message").asText().contains("steady state"));
    }

    /** The way back from a failed first release: UpdateService of the revision the service is on, with 0 tasks. */
    @Test
    void loweringOnlyTheDesiredCountStopsThePrimarysExtraTasksWithoutANewDeployment() {
        fleet.updated(motoService(TD1), Json.object().put("desiredCount", 0));
        clock.at(10);

        JsonNode service = describe();
        assertEquals(1, service.path("deployments").size(), "no new deployment");
        assertEquals(0, service.path("desiredCount").asInt());
        assertEquals(0, service.path("runningCount").asInt());
        assertEquals(0, service.path("deployments").get(0).path("desiredCount").asInt());
        assertEquals(2, fleet.listTasks("pushdeploy", "web", "STOPPED", null, null).size());
    }

    /** The stack's bootstrap revision runs a tag nobody pushed: ECS cannot start its tasks, whatever else holds. */
    @Test
    void tasksOfAnImageNoRepositoryHoldsCannotStart() {
        String image = definition(TD2).containers().get(0).image();
        fleet.unpullable(image);
        fleet.updated(motoService(TD2), NO_OPTIONS);
        clock.at(5);

        List<String> stopped = fleet.listTasks("pushdeploy", "web", "STOPPED", null, null);
        assertFalse(stopped.isEmpty());
        JsonNode task = fleet.describeTask("pushdeploy", stopped.get(0)).orElseThrow();
        assertEquals(TD2, task.path("taskDefinitionArn").asText());
        assertEquals("TaskFailedToStart", task.path("stopCode").asText());
        assertTrue(task.path("stoppedReason").asText().startsWith("CannotPullContainerError"), task.toString());
        assertTrue(task.path("stoppedReason").asText().contains(image), task.toString());
        assertEquals(0, describe().path("deployments").get(0).path("runningCount").asInt());
    }

    @Test
    void crashingTasksTripTheCircuitBreakerAndEcsRollsBackToTheLastCompletedRevision() {
        fleet.scenario(Scenario.CRASH_LOOP);
        fleet.updated(motoService(TD2), NO_OPTIONS);
        String ours = describe().path("deployments").get(0).path("id").asText();
        clock.at(6);
        JsonNode crashed = fleet.describeTask("pushdeploy", fleet.listTasks("pushdeploy", "web", "STOPPED", ours, null).get(0))
                .orElseThrow();
        assertEquals("EssentialContainerExited", crashed.path("stopCode").asText());
        assertEquals(1, crashed.path("containers").get(0).path("exitCode").asInt());
        assertEquals(2, describe().path("deployments").get(0).path("failedTasks").asInt());

        clock.at(14);
        JsonNode rolledBack = describe();
        JsonNode primary = rolledBack.path("deployments").get(0);
        assertEquals(TD1, primary.path("taskDefinition").asText());
        assertTrue(primary.path("rolloutStateReason").asText().contains("circuit breaker: rolling back"));
        JsonNode failed = rolledBack.path("deployments").get(1);
        assertEquals(ours, failed.path("id").asText());
        assertEquals("FAILED", failed.path("rolloutState").asText());
        assertTrue(failed.path("failedTasks").asInt() >= Fleet.threshold(2));
        assertEquals(TD1, rolledBack.path("taskDefinition").asText());

        clock.at(30);
        JsonNode back = describe();
        assertEquals(1, back.path("deployments").size());
        assertEquals("COMPLETED", back.path("deployments").get(0).path("rolloutState").asText());
        assertEquals(TD1, back.path("deployments").get(0).path("taskDefinition").asText());
    }

    @Test
    void unhealthyTargetsAreReplacedUntilTheBreakerTrips() {
        fleet.scenario(Scenario.UNHEALTHY_TARGETS);
        fleet.updated(motoService(TD2), NO_OPTIONS);
        String ours = describe().path("deployments").get(0).path("id").asText();
        clock.at(8);
        assertTrue(fleet.targets(TG).orElseThrow().stream()
                .anyMatch(t -> t.state().equals("unhealthy") && t.reason().equals("Target.FailedHealthChecks")));
        clock.at(12);
        JsonNode stopped = fleet.describeTask("pushdeploy", fleet.listTasks("pushdeploy", "web", "STOPPED", ours, null).get(0))
                .orElseThrow();
        assertTrue(stopped.path("stoppedReason").asText().startsWith("Task failed ELB health checks"));
        clock.at(40);
        JsonNode service = describe();
        assertEquals(TD1, service.path("taskDefinition").asText());
        assertEquals("COMPLETED", service.path("deployments").get(0).path("rolloutState").asText());
    }

    @Test
    void aBadSmokeRevisionFailsTheSmokeCheckUntilItNoLongerServes() {
        fleet.scenario(Scenario.BAD_SMOKE);
        fleet.updated(motoService(TD2), NO_OPTIONS);
        clock.at(12);
        assertEquals("COMPLETED", describe().path("deployments").get(0).path("rolloutState").asText());
        assertEquals(Optional.of(503), fleet.smokeStatus("pushdeploy", "web"));

        fleet.updated(motoService(TD1), NO_OPTIONS);
        clock.at(25);
        assertEquals(TD1, describe().path("taskDefinition").asText());
        assertEquals(Optional.of(200), fleet.smokeStatus("pushdeploy", "web"));
    }

    @Test
    void whenRollbackFailsTheWayBackCrashesToo() {
        fleet.scenario(Scenario.ROLLBACK_FAILS);
        fleet.updated(motoService(TD2), NO_OPTIONS);
        clock.at(6);
        fleet.updated(motoService(TD1), NO_OPTIONS);
        String back = describe().path("deployments").get(0).path("id").asText();
        clock.at(30);
        JsonNode service = describe();
        JsonNode primary = service.path("deployments").get(0);
        assertEquals(back, primary.path("id").asText());
        assertEquals(TD1, primary.path("taskDefinition").asText());
        assertEquals("FAILED", primary.path("rolloutState").asText());
        assertEquals(0, primary.path("runningCount").asInt());
    }

    @Test
    void withoutTheBreakerCrashingTasksAreReplacedForever() {
        fleet.scenario(Scenario.CRASH_LOOP);
        fleet.updated(motoService(TD2), Json.tree("{\"deploymentConfiguration\": {\"deploymentCircuitBreaker\": {\"enable\": false}}}"));
        clock.at(60);
        JsonNode primary = describe().path("deployments").get(0);
        assertEquals(TD2, primary.path("taskDefinition").asText());
        assertEquals("IN_PROGRESS", primary.path("rolloutState").asText());
        assertTrue(primary.path("failedTasks").asInt() > 10);
        assertEquals(false, describe().path("deploymentConfiguration").path("deploymentCircuitBreaker").path("enable").asBoolean());
    }

    @Test
    void anImageMarkedBadCrashesWhateverTheRunsScenario() {
        fleet.imageScenario("sha256:2", Scenario.CRASH_LOOP);
        fleet.updated(motoService(TD2), NO_OPTIONS);
        clock.at(6);
        assertTrue(describe().path("deployments").get(0).path("failedTasks").asInt() > 0);
    }

    /** `local push --fate rollback-fails`: the image crashes, and so does the way back from it, to a revision that completed. */
    @Test
    void anImageMarkedRollbackFailsAlsoFailsTheWayBackFromIt() {
        fleet.imageScenario("sha256:2", Scenario.ROLLBACK_FAILS);
        fleet.updated(motoService(TD2), NO_OPTIONS);
        clock.at(6);
        assertTrue(describe().path("deployments").get(0).path("failedTasks").asInt() > 0, "the image crashes");
        fleet.updated(motoService(TD1), NO_OPTIONS);
        clock.at(12);
        JsonNode back = describe().path("deployments").get(0);
        assertEquals(TD1, back.path("taskDefinition").asText());
        assertTrue(back.path("failedTasks").asInt() > 0, "the way back crashes too: " + back);

        fleet.updated(motoService(TD2), NO_OPTIONS);
        fleet.imageScenario("sha256:2", Scenario.HEALTHY);
        fleet.updated(motoService(TD1), NO_OPTIONS);
        clock.at(30);
        assertEquals(0, describe().path("deployments").get(0).path("failedTasks").asInt(), "a completed revision, otherwise, is healthy");
    }

    @Test
    void anUpdateToTheCurrentRevisionStartsNoDeploymentUnlessForced() {
        fleet.updated(motoService(TD1), NO_OPTIONS);
        assertEquals(1, describe().path("deployments").size());
        assertTrue(fleet.starts().isEmpty());
        fleet.updated(motoService(TD1), Json.object().put("forceNewDeployment", true));
        assertEquals(2, describe().path("deployments").size());
        assertEquals(1, fleet.starts().size());
    }

    @Test
    void everyStartRecordsWhetherItCutIntoARolloutInProgress() {
        fleet.updated(motoService(TD2), NO_OPTIONS);
        clock.at(1);
        fleet.updated(motoService(TD1), NO_OPTIONS);
        List<DeploymentStart> starts = fleet.starts();
        assertEquals("COMPLETED", starts.get(0).replacedRolloutState());
        assertEquals("IN_PROGRESS", starts.get(1).replacedRolloutState());
        assertEquals(TD2, starts.get(1).replacedTaskDefinition());
    }

    @Test
    void unknownServicesAndTargetGroupsAreNotAnswered() {
        assertFalse(fleet.knows("pushdeploy", "api"));
        assertEquals(Optional.empty(), fleet.smokeStatus("pushdeploy", "api"));
        assertEquals(Optional.empty(), fleet.targets("arn:other"));
        assertEquals(Optional.empty(), fleet.describeTask("pushdeploy", "nope"));
    }

    @ParameterizedTest
    @CsvSource({"1, 3", "2, 3", "6, 3", "7, 4", "10, 5", "399, 200", "1000, 200"})
    void theCircuitBreakerThresholdIsHalfTheDesiredCountBetween3And200(int desired, int threshold) {
        assertEquals(threshold, Fleet.threshold(desired));
    }

    /** A revision's definition: one essential container whose image digest ends like its ARN. */
    static TaskDefinition definition(String arn) {
        return new TaskDefinition(arn, "web", 1, true, "256", "512",
                List.of(new TaskDefinition.Container("app", "repo/web@sha256:" + arn.substring(arn.length() - 1), true,
                        Map.of(), Map.of())), Map.of());
    }

    private JsonNode describe() {
        ObjectNode service = motoService(TD1);
        fleet.decorate(service);
        return service;
    }

    private List<String> targetStates() {
        return fleet.targets(TG).orElseThrow().stream().map(Fleet.Target::state).sorted().toList();
    }

    /** AWS: "When a rollback occurs, Amazon ECS runs lifecycle hooks for PRODUCTION_TRAFFIC_SHIFT and TEST_TRAFFIC_SHIFT." */
    @Test
    void onTheWayBackTheTrafficShiftHooksRunAgainAndTheRollbackEndsAfterThem() {
        fleet.trafficShift("pushdeploy/web", new TrafficShift("BLUE_GREEN", 5, 1, 10, 1, 1, "tg-alt", "LifecycleHookFunction",
                List.of("POST_TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"), List.of(), "X-Pushdeploy-Test", "f00d"));
        fleet.updated(motoService(TD2), NO_OPTIONS);
        double t = 0;
        List<HookCall> due = List.of();
        while (due.isEmpty() && t < 120) {
            clock.at(++t);
            due = fleet.dueHooks();
        }
        assertEquals(List.of("POST_TEST_TRAFFIC_SHIFT"), due.stream().map(c -> c.stage).toList());
        String arn = due.get(0).deployment.serviceDeployment.arn;
        String green = due.get(0).deployment.serviceDeployment.targetRevision;

        fleet.hookAnswered(due.get(0), Json.tree("{\"hookStatus\": \"FAILED\"}"), null);
        List<HookCall> back = fleet.dueHooks();

        assertEquals(List.of("PRODUCTION_TRAFFIC_SHIFT"), back.stream().map(c -> c.stage).toList(), "only the configured stages");
        JsonNode payload = Json.tree(back.get(0).payload);
        assertEquals(arn, payload.path("resourceArn").asText());
        assertEquals(0, payload.path("executionDetails").path("productionTrafficWeights").path(green).asDouble(-1), payload.toString());
        clock.at(t + 120);
        assertEquals("ROLLBACK_IN_PROGRESS", serviceDeploymentStatus(arn), "the green tasks are gone, the hook has not answered");
        fleet.hookAnswered(back.get(0), Json.tree("{\"hookStatus\": \"IN_PROGRESS\", \"callBackDelay\": 5}"), null);
        assertTrue(fleet.dueHooks().isEmpty(), "asked again after the callBackDelay");
        clock.at(t + 126);
        List<HookCall> again = fleet.dueHooks();
        assertEquals(List.of("PRODUCTION_TRAFFIC_SHIFT"), again.stream().map(c -> c.stage).toList());
        fleet.hookAnswered(again.get(0), Json.tree("{\"hookStatus\": \"SUCCEEDED\"}"), null);
        assertEquals("ROLLBACK_SUCCESSFUL", serviceDeploymentStatus(arn));
        assertEquals(TD1, describe().path("taskDefinition").asText());
    }

    /** A first release: the blue revision runs no task, so the clean-up has nothing to wait for. */
    @Test
    void aShiftFromAServiceRunningNothingCompletesAfterItsBake() {
        ObjectNode idle = motoService(TD1);
        idle.put("desiredCount", 0);
        fleet = new Fleet(clock, FleetTest::definition);
        fleet.adopt(idle);
        fleet.trafficShift("pushdeploy/web", new TrafficShift("BLUE_GREEN", 5, 1, 10, 1, 1, "tg-alt", null, List.of(), List.of(),
                "X-Pushdeploy-Test", "f00d"));
        fleet.updated(motoService(TD2), NO_OPTIONS);

        clock.at(600);
        JsonNode service = describe();
        assertEquals(1, service.path("deployments").size(), service.toString());
        JsonNode primary = service.path("deployments").get(0);
        assertEquals(TD2, primary.path("taskDefinition").asText());
        assertEquals("COMPLETED", primary.path("rolloutState").asText(), service.toString());
        assertEquals(2, service.path("runningCount").asInt());
    }

    private String serviceDeploymentStatus(String arn) {
        return fleet.describeServiceDeployment(arn).orElseThrow().path("status").asText();
    }

    static ObjectNode motoService(String taskDefinition) {
        return (ObjectNode) Json.tree("""
                {"serviceArn": "arn:aws:ecs:us-east-1:123456789012:service/pushdeploy/web", "serviceName": "web",
                 "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/pushdeploy", "desiredCount": 2,
                 "taskDefinition": "%s",
                 "loadBalancers": [{"targetGroupArn": "%s", "containerName": "app", "containerPort": 8080}],
                 "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"], "securityGroups": ["sg-1"]}},
                 "deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100,
                                             "deploymentCircuitBreaker": {"enable": true, "rollback": true}},
                 "deployments": [{"id": "ecs-svc/1", "taskDefinition": "%s", "status": "PRIMARY"}]}
                """.formatted(taskDefinition, TG, TD1));
    }

    /** Simulated time set by the test, in seconds from an origin. */
    static final class ManualClock extends MutableClock {
        static final long ORIGIN_MILLIS = 1_700_000_000_000L;

        ManualClock() {
            super(Instant.ofEpochMilli(ORIGIN_MILLIS));
        }

        void at(double t) {
            set(Instant.ofEpochMilli(ORIGIN_MILLIS + Math.round(t * 1000)));
        }
    }
}
