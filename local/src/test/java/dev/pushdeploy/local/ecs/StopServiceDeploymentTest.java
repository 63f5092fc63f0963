package dev.pushdeploy.local.ecs;

import static dev.pushdeploy.local.ecs.FleetTest.TD1;
import static dev.pushdeploy.local.ecs.FleetTest.TD2;
import static dev.pushdeploy.local.ecs.FleetTest.motoService;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Audit of StopServiceDeployment against ECS's developer guide, "Stopping Amazon ECS service deployments"
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stop-service-deployment.html): "You can stop a deployment
 * that is in any of the following states. [...] PENDING [...] IN_PROGRESS [...] STOP_REQUESTED - The service deployment
 * continues to stop. ROLLBACK_REQUESTED - The service deployment continues the rollback operation.
 * ROLLBACK_IN_PROGRESS - The service deployment continues the rollback operation."
 *
 * <p>{@link Fleet#stopServiceDeployment} answers FINISHED (EcsSimulator: ConflictException "is not in progress") for a
 * service deployment already rolling back. The pipeline's {@code RollbackStarter} asks ECS to stop a traffic-shifting
 * deployment it read IN_PROGRESS; when ECS began its own rollback in between (an alarm, a hook), ECS accepts the stop
 * and the way back records that service deployment, while locally the refusal sends the run to UpdateService instead
 * (a new deployment of the old revision during ECS's rollback): the path AWS takes is never run locally.
 */
class StopServiceDeploymentTest {
    final FleetTest.ManualClock clock = new FleetTest.ManualClock();

    @Test
    void aStopRequestForADeploymentAlreadyRollingBackIsAcceptedAndTheRollbackContinues() {
        Fleet fleet = new Fleet(clock, FleetTest::definition);
        fleet.adopt(motoService(TD1));
        fleet.scenario(Scenario.CRASH_LOOP);
        fleet.updated(motoService(TD2), Json.object());
        String arn = fleet.serviceDeployments("pushdeploy", "web", Set.of(), null, null).orElseThrow().get(0)
                .path("serviceDeploymentArn").asText();
        clock.at(13);
        assertEquals("ROLLBACK_IN_PROGRESS", status(fleet, arn), "the circuit breaker rolls it back");

        assertEquals(Fleet.StopOutcome.STOPPING, fleet.stopServiceDeployment(arn),
                "ROLLBACK_IN_PROGRESS: \"The service deployment continues the rollback operation\", not a ConflictException");
        assertEquals("ROLLBACK_IN_PROGRESS", status(fleet, arn));
    }

    @Test
    void aSecondStopRequestWhileTheFirstIsPendingIsAccepted() {
        Fleet fleet = new Fleet(clock, FleetTest::definition);
        fleet.adopt(motoService(TD1));
        fleet.updated(motoService(TD2), Json.object());
        String arn = fleet.serviceDeployments("pushdeploy", "web", Set.of(), null, null).orElseThrow().get(0)
                .path("serviceDeploymentArn").asText();
        clock.at(2);
        assertEquals(Fleet.StopOutcome.STOPPING, fleet.stopServiceDeployment(arn));
        assertEquals("ROLLBACK_REQUESTED", status(fleet, arn));

        assertEquals(Fleet.StopOutcome.STOPPING, fleet.stopServiceDeployment(arn),
                "ROLLBACK_REQUESTED: \"The service deployment continues the rollback operation\", not a ConflictException");
    }

    private static String status(Fleet fleet, String arn) {
        JsonNode d = fleet.describeServiceDeployment(arn).orElseThrow();
        return d.path("status").asText();
    }
}
