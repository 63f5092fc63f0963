package dev.pushdeploy.local.ecs;

import static dev.pushdeploy.local.ecs.FleetTest.TD1;
import static dev.pushdeploy.local.ecs.FleetTest.TD2;
import static dev.pushdeploy.local.ecs.FleetTest.motoService;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The events ECS sends and the service deployments it reports, from the simulated fleet. */
class FleetEventsTest {
    static final String SERVICE_ARN = "arn:aws:ecs:us-east-1:123456789012:service/pushdeploy/web";

    final FleetTest.ManualClock clock = new FleetTest.ManualClock();
    final List<ObjectNode> events = new ArrayList<>();
    final Fleet fleet = fleet(clock, events);

    @Test
    void aHealthyRolloutSendsInProgressThenCompletedForItsDeploymentAndItsTasksStateChanges() {
        fleet.updated(motoService(TD2), Json.object());
        String ours = primaryId();
        clock.at(12);
        fleet.advance();

        List<ObjectNode> deployment = of("ECS Deployment State Change");
        assertEquals(List.of("SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED"), names(deployment));
        for (ObjectNode e : deployment) {
            assertEquals("aws.ecs", e.path("source").asText());
            assertEquals(List.of(SERVICE_ARN), List.of(e.path("resources").get(0).asText()));
            assertEquals(ours, e.path("detail").path("deploymentId").asText());
            assertEquals("INFO", e.path("detail").path("eventType").asText());
            assertEquals("123456789012", e.path("account").asText());
            assertEquals("us-east-1", e.path("region").asText());
        }
        assertEquals("ECS deployment " + ours + " completed.", deployment.get(1).path("detail").path("reason").asText());
        assertEquals(8.0, secondsOf(deployment.get(1)), 0.001, "a healthy rollout completes 8 s after it started");
        assertEquals(List.of("SERVICE_STEADY_STATE"), names(of("ECS Service Action")));

        List<String> newTaskStatuses = of("ECS Task State Change").stream()
                .filter(e -> e.path("detail").path("startedBy").asText().equals(ours))
                .map(e -> e.path("detail").path("lastStatus").asText()).distinct().toList();
        assertEquals(List.of("PROVISIONING", "PENDING", "RUNNING"), newTaskStatuses);
        ObjectNode oldStopped = of("ECS Task State Change").stream()
                .filter(e -> e.path("detail").path("lastStatus").asText().equals("STOPPED")).findFirst().orElseThrow();
        assertEquals("ServiceSchedulerInitiated", oldStopped.path("detail").path("stopCode").asText());
        assertEquals("service:web", oldStopped.path("detail").path("group").asText());
        assertEquals(oldStopped.path("detail").path("taskArn").asText(), oldStopped.path("resources").get(0).asText());
        assertTrue(oldStopped.path("detail").path("stoppedAt").asText().endsWith("Z"), "timestamps are ISO strings in events");
        assertEquals("eni", oldStopped.path("detail").path("attachments").get(0).path("type").asText());
    }

    @Test
    void aCrashLoopSendsTaskStopsWithTheExitCodeThenFailedThenTheRollbacksInProgressAndCompleted() {
        fleet.scenario(Scenario.CRASH_LOOP);
        fleet.updated(motoService(TD2), Json.object());
        String ours = primaryId();
        clock.at(40);
        fleet.advance();

        ObjectNode crashed = of("ECS Task State Change").stream()
                .filter(e -> e.path("detail").path("startedBy").asText().equals(ours)
                        && e.path("detail").path("lastStatus").asText().equals("STOPPED"))
                .findFirst().orElseThrow();
        assertEquals("EssentialContainerExited", crashed.path("detail").path("stopCode").asText());
        assertEquals("Essential container in task exited", crashed.path("detail").path("stoppedReason").asText());
        assertEquals(1, crashed.path("detail").path("containers").get(0).path("exitCode").asInt());
        assertEquals(5.0, secondsOf(crashed), 0.001, "the container exits 2 s after it started");

        List<ObjectNode> deployment = of("ECS Deployment State Change");
        assertEquals(List.of("SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_FAILED", "SERVICE_DEPLOYMENT_IN_PROGRESS",
                "SERVICE_DEPLOYMENT_COMPLETED"), names(deployment));
        JsonNode failed = deployment.get(1).path("detail");
        assertEquals(ours, failed.path("deploymentId").asText());
        assertEquals("ERROR", failed.path("eventType").asText());
        assertEquals("ECS deployment circuit breaker: task failed to start.", failed.path("reason").asText());
        JsonNode rollback = deployment.get(2).path("detail");
        assertTrue(rollback.path("reason").asText().startsWith("ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/"),
                rollback.toString());
        assertEquals(rollback.path("deploymentId").asText(), deployment.get(3).path("detail").path("deploymentId").asText());
        assertTrue(names(of("ECS Service Action")).contains("SERVICE_TASK_START_IMPAIRED"));
    }

    @Test
    void serviceDeploymentsArePendingThenInProgressThenSuccessful() {
        fleet.updated(motoService(TD2), Json.object());
        JsonNode started = latest();
        assertEquals("PENDING", started.path("status").asText(), "created, not started yet");
        clock.at(0.5);
        assertEquals("IN_PROGRESS", describe(started).path("status").asText());
        assertEquals("MONITORING", describe(started).path("deploymentCircuitBreaker").path("status").asText());
        assertEquals(3, describe(started).path("deploymentCircuitBreaker").path("threshold").asInt());
        assertEquals(1, describe(started).path("sourceServiceRevisions").size());
        assertTrue(started.path("serviceDeploymentArn").asText()
                .startsWith("arn:aws:ecs:us-east-1:123456789012:service-deployment/pushdeploy/web/"));
        clock.at(12);
        JsonNode done = describe(started);
        assertEquals("SUCCESSFUL", done.path("status").asText());
        assertEquals("MONITORING_COMPLETE", done.path("deploymentCircuitBreaker").path("status").asText());
        assertEquals(2, done.path("targetServiceRevision").path("runningTaskCount").asInt());
        assertTrue(done.has("finishedAt"));
        assertEquals(2, fleet.serviceDeployments("pushdeploy", "web", Set.of(), null, null).orElseThrow().size(),
                "the adopted first deployment and ours");
        assertEquals(1, fleet.serviceDeployments("pushdeploy", "web", Set.of("SUCCESSFUL"), epoch(-1), null)
                .orElseThrow().size());
    }

    @Test
    void theCircuitBreakersRollbackIsReportedWithinTheServiceDeploymentItRollsBack() {
        fleet.scenario(Scenario.CRASH_LOOP);
        fleet.updated(motoService(TD2), Json.object());
        JsonNode ours = latest();
        clock.at(13);
        JsonNode rollingBack = describe(ours);
        assertEquals("ROLLBACK_IN_PROGRESS", rollingBack.path("status").asText());
        assertEquals("TRIGGERED", rollingBack.path("deploymentCircuitBreaker").path("status").asText());
        assertTrue(rollingBack.path("deploymentCircuitBreaker").path("failureCount").asInt() >= 3);
        assertEquals(rollingBack.path("sourceServiceRevisions").get(0).path("arn").asText(),
                rollingBack.path("rollback").path("serviceRevisionArn").asText());
        clock.at(40);
        assertEquals("ROLLBACK_SUCCESSFUL", describe(ours).path("status").asText());
    }

    @Test
    void stopServiceDeploymentRollsBackToThePreviousRevision() {
        fleet.updated(motoService(TD2), Json.object());
        JsonNode ours = latest();
        String arn = ours.path("serviceDeploymentArn").asText();
        clock.at(2);
        assertEquals(Fleet.StopOutcome.STOPPING, fleet.stopServiceDeployment(arn));
        assertEquals("ROLLBACK_REQUESTED", describe(ours).path("status").asText());
        clock.at(3);
        assertEquals("ROLLBACK_IN_PROGRESS", describe(ours).path("status").asText());
        clock.at(20);
        assertEquals("ROLLBACK_SUCCESSFUL", describe(ours).path("status").asText());
        ObjectNode service = motoService(TD1);
        fleet.decorate(service);
        assertEquals(TD1, service.path("taskDefinition").asText());
        assertEquals(Fleet.StopOutcome.FINISHED, fleet.stopServiceDeployment(arn));
        assertEquals(Fleet.StopOutcome.NOT_FOUND, fleet.stopServiceDeployment(arn + "x"));
    }

    /** The API reference: a deployment stops when the failure detection has no rollback option and the service fails. */
    @Test
    void theCircuitBreakerWithoutItsRollbackOptionStopsTheServiceDeployment() {
        fleet.scenario(Scenario.CRASH_LOOP);
        fleet.updated(motoService(TD2), Json.tree("{\"deploymentConfiguration\":{\"deploymentCircuitBreaker\":"
                + "{\"enable\":true,\"rollback\":false}}}"));
        JsonNode ours = latest();
        clock.at(13);
        JsonNode stopped = describe(ours);
        assertEquals("STOPPED", stopped.path("status").asText());
        assertTrue(stopped.has("stoppedAt") && !stopped.has("finishedAt") && !stopped.has("rollback"), stopped.toString());
        assertEquals("TRIGGERED", stopped.path("deploymentCircuitBreaker").path("status").asText());
        assertEquals(false, stopped.path("deploymentConfiguration").path("deploymentCircuitBreaker").path("rollback").asBoolean(true));
        assertEquals(List.of(ours.path("serviceDeploymentArn").asText()), fleet.serviceDeployments("pushdeploy", "web",
                Set.of("STOPPED"), null, null).orElseThrow().stream().map(d -> d.path("serviceDeploymentArn").asText()).toList());
    }

    @Test
    void aNewerUpdateStopsTheServiceDeploymentInProgress() {
        fleet.updated(motoService(TD2), Json.object());
        JsonNode first = latest();
        clock.at(1);
        fleet.updated(motoService(TD1), Json.object().put("forceNewDeployment", true));
        assertEquals("STOPPED", describe(first).path("status").asText());
        assertEquals("PENDING", latest().path("status").asText());
        clock.at(1.5);
        assertEquals("IN_PROGRESS", describe(latest()).path("status").asText());
    }

    @Test
    void aFifteenMinuteRolloutCompletesAfterFifteenMinutesInAFewSteps() {
        fleet.rolloutSeconds(900);
        fleet.updated(motoService(TD2), Json.object());
        int steps = 0;
        while (fleet.nextChangeAt().isPresent()) {
            clock.at((fleet.nextChangeAt().getAsLong() - FleetTest.ManualClock.ORIGIN_MILLIS) / 1000.0);
            fleet.advance();
            steps++;
        }
        ObjectNode completed = of("ECS Deployment State Change").getLast();
        assertEquals("SERVICE_DEPLOYMENT_COMPLETED", completed.path("detail").path("eventName").asText());
        assertEquals(900, secondsOf(completed), 0.25);
        assertTrue(steps < 20, steps + " steps");
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void skippingToTheNextChangeSendsTheSameEventsAtTheSameTimesAsSteppingThroughEveryQuarterSecond(Scenario scenario) {
        List<String> stepped = run(scenario, false);
        List<String> skipped = run(scenario, true);
        assertEquals(stepped, skipped);
        assertTrue(stepped.size() > 10, stepped.toString());
    }

    /** A rollout (and, for a bad smoke check, a manual rollback) with every event as "seconds detail-type name". */
    private static List<String> run(Scenario scenario, boolean skipping) {
        FleetTest.ManualClock clock = new FleetTest.ManualClock();
        List<ObjectNode> sent = new ArrayList<>();
        Fleet fleet = fleet(clock, sent);
        fleet.scenario(scenario);
        fleet.updated(motoService(TD2), Json.object());
        double end = 80;
        for (double t = 0; t <= end; ) {
            if (scenario == Scenario.BAD_SMOKE && t >= 20 && t < 20 + Fleet.STEP) {
                fleet.updated(motoService(TD1), Json.object());
            }
            if (skipping) {
                double next = fleet.nextChangeAt().isPresent()
                        ? (fleet.nextChangeAt().getAsLong() - FleetTest.ManualClock.ORIGIN_MILLIS) / 1000.0 : end + 1;
                t = scenario == Scenario.BAD_SMOKE && t < 20 ? Math.min(next, 20) : next;
            } else {
                t += Fleet.STEP;
            }
            clock.at(Math.min(t, end));
            fleet.advance();
        }
        return sent.stream().map(e -> Math.round(secondsOf(e) * 4) / 4.0 + " " + e.path("detail-type").asText() + " "
                + e.path("detail").path("eventName").asText(e.path("detail").path("lastStatus").asText())).toList();
    }

    private static double secondsOf(ObjectNode event) {
        JsonNode detail = event.path("detail");
        String at = detail.has("updatedAt") ? detail.get("updatedAt").asText() : detail.path("createdAt").asText();
        return (java.time.Instant.parse(at).toEpochMilli() - FleetTest.ManualClock.ORIGIN_MILLIS) / 1000.0;
    }

    private static Fleet fleet(FleetTest.ManualClock clock, List<ObjectNode> sink) {
        Fleet fleet = new Fleet(clock, FleetTest::definition);
        fleet.adopt(motoService(TD1));
        fleet.events(sink::add);
        return fleet;
    }

    private List<ObjectNode> of(String detailType) {
        return events.stream().filter(e -> e.path("detail-type").asText().equals(detailType)).toList();
    }

    private static List<String> names(List<ObjectNode> events) {
        return events.stream().map(e -> e.path("detail").path("eventName").asText()).toList();
    }

    private String primaryId() {
        ObjectNode service = motoService(TD1);
        fleet.decorate(service);
        return service.path("deployments").get(0).path("id").asText();
    }

    private JsonNode latest() {
        return fleet.serviceDeployments("pushdeploy", "web", Set.of(), null, null).orElseThrow().get(0);
    }

    private JsonNode describe(JsonNode brief) {
        return fleet.describeServiceDeployment(brief.path("serviceDeploymentArn").asText()).orElseThrow();
    }

    /** Epoch seconds of the test clock at {@code seconds}. */
    private static double epoch(double seconds) {
        return FleetTest.ManualClock.ORIGIN_MILLIS / 1000.0 + seconds;
    }
}
