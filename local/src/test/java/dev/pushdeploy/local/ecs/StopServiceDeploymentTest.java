package dev.pushdeploy.local.ecs;

import static dev.pushdeploy.local.ecs.FleetTest.TD1;
import static dev.pushdeploy.local.ecs.FleetTest.TD2;
import static dev.pushdeploy.local.ecs.FleetTest.motoService;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * StopServiceDeployment in each state ECS's developer guide lists, "Stopping Amazon ECS service deployments"
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stop-service-deployment.html): "You can stop a deployment
 * that is in any of the following states. [...] PENDING - The service deployment moves to the ROLLBACK_REQUESTED state,
 * and then the rollback operation starts. IN_PROGRESS - The service deployment moves to the ROLLBACK_REQUESTED state, and
 * then the rollback operation starts. STOP_REQUESTED - The service deployment continues to stop. ROLLBACK_REQUESTED - The
 * service deployment continues the rollback operation. ROLLBACK_IN_PROGRESS - The service deployment continues the
 * rollback operation." The simulator accepts stop type ROLLBACK only, so it never has a STOP_REQUESTED one.
 *
 * <p>This matters to the pipeline's {@code RollbackStarter}: it asks ECS to stop a deployment it read IN_PROGRESS; when
 * ECS began its own rollback in between (the circuit breaker, an alarm, a hook), ECS accepts the stop and the way back
 * records that service deployment, so locally too the stop is accepted (not a ConflictException) and the rollback goes
 * on as it was.
 */
class StopServiceDeploymentTest {
    final FleetTest.ManualClock clock = new FleetTest.ManualClock();

    @Test
    void aStopRequestForADeploymentAlreadyRollingBackIsAcceptedAndTheRollbackContinues() {
        Fleet fleet = new Fleet(clock, FleetTest::definition);
        fleet.adopt(motoService(TD1));
        fleet.scenario(Scenario.CRASH_LOOP);
        String arn = updatedToTd2(fleet);
        clock.at(13);
        assertEquals("ROLLBACK_IN_PROGRESS", status(fleet, arn), "the circuit breaker rolls it back");
        List<String> deployments = deploymentIds(fleet);

        assertEquals(Fleet.StopOutcome.STOPPING, fleet.stopServiceDeployment(arn),
                "ROLLBACK_IN_PROGRESS: \"The service deployment continues the rollback operation\", not a ConflictException");
        assertEquals("ROLLBACK_IN_PROGRESS", status(fleet, arn));
        assertEquals(deployments, deploymentIds(fleet), "the stop starts no further rollback");

        clock.at(40);
        assertEquals("ROLLBACK_SUCCESSFUL", status(fleet, arn), "the rollback went on to its end");
    }

    @Test
    void aSecondStopRequestWhileTheFirstIsPendingIsAccepted() {
        Fleet fleet = fleetOnTd1();
        String arn = updatedToTd2(fleet);
        clock.at(2);
        assertEquals(Fleet.StopOutcome.STOPPING, fleet.stopServiceDeployment(arn));
        assertEquals("ROLLBACK_REQUESTED", status(fleet, arn));

        assertEquals(Fleet.StopOutcome.STOPPING, fleet.stopServiceDeployment(arn),
                "ROLLBACK_REQUESTED: \"The service deployment continues the rollback operation\", not a ConflictException");
        clock.at(3);
        assertEquals("ROLLBACK_IN_PROGRESS", status(fleet, arn), "one rollback, started at the next step");
        assertEquals(1, rollbacks(fleet), "the second request started no rollback of its own");
        clock.at(40);
        assertEquals("ROLLBACK_SUCCESSFUL", status(fleet, arn));
    }

    @Test
    void aPendingServiceDeploymentIsRolledBack() {
        Fleet fleet = fleetOnTd1();
        String arn = updatedToTd2(fleet);
        assertEquals("PENDING", status(fleet, arn));

        assertEquals(Fleet.StopOutcome.STOPPING, fleet.stopServiceDeployment(arn));
        assertEquals("ROLLBACK_REQUESTED", status(fleet, arn), "PENDING: \"moves to the ROLLBACK_REQUESTED state\"");
    }

    @Test
    void aFinishedServiceDeploymentCannotBeStopped() {
        Fleet fleet = fleetOnTd1();
        String arn = updatedToTd2(fleet);
        clock.at(20);
        assertEquals("SUCCESSFUL", status(fleet, arn));

        assertEquals(Fleet.StopOutcome.FINISHED, fleet.stopServiceDeployment(arn), "not in a state the guide lists");
        assertEquals(Fleet.StopOutcome.NOT_FOUND, fleet.stopServiceDeployment(arn + "x"));
    }

    private Fleet fleetOnTd1() {
        Fleet fleet = new Fleet(clock, FleetTest::definition);
        fleet.adopt(motoService(TD1));
        return fleet;
    }

    /** UpdateService to TD2: the ARN of the service deployment it starts. */
    private static String updatedToTd2(Fleet fleet) {
        fleet.updated(motoService(TD2), Json.object());
        return fleet.serviceDeployments("pushdeploy", "web", Set.of(), null, null).orElseThrow().get(0)
                .path("serviceDeploymentArn").asText();
    }

    private static String status(Fleet fleet, String arn) {
        JsonNode d = fleet.describeServiceDeployment(arn).orElseThrow();
        return d.path("status").asText();
    }

    /** How many of the service's deployments are ECS's rollbacks for a stop request. */
    private static long rollbacks(Fleet fleet) {
        com.fasterxml.jackson.databind.node.ObjectNode service = motoService(TD1);
        fleet.decorate(service);
        return service.path("deployments").findValuesAsText("rolloutStateReason").stream()
                .filter(reason -> reason.startsWith("ECS service deployment stopped: rolling back")).count();
    }

    private static List<String> deploymentIds(Fleet fleet) {
        com.fasterxml.jackson.databind.node.ObjectNode service = motoService(TD1);
        fleet.decorate(service);
        return service.path("deployments").findValuesAsText("id");
    }
}
