package dev.pushdeploy.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.rollout.RolloutFixtures;
import dev.pushdeploy.rollout.RolloutFixtures.CallCounter;
import dev.pushdeploy.adapter.aws.SdkEcsServices;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.SimulatedEcs;
import dev.pushdeploy.testing.World;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Deployment;

/**
 * StartDeployment against moto behind the local runtime's ECS simulator (moto's UpdateService starts no deployment; ECS
 * answers it with the service's new PRIMARY deployment and its service deployment): UpdateService really moves the
 * service, once per request, and the rollout names the deployment it started.
 */
@ExtendWith(EmulatorExtension.class)
class StartDeploymentHandlerIT {
    private SimulatedEcs front;
    private Emulator emulator;

    @BeforeEach
    void front(Emulator moto) {
        front = SimulatedEcs.before(moto);
        emulator = front.emulator();
    }

    @AfterEach
    void close() {
        front.close();
    }

    private static StartDeploymentHandler handler(Emulator emulator, CallCounter counter) {
        EcsClient ecs = emulator.client(EcsClient.builder().overrideConfiguration(o -> o.addExecutionInterceptor(counter)));
        return new StartDeploymentHandler(new SdkEcsServices(ecs), request -> true, Clock.systemUTC());
    }

    private static StartDeploymentHandler.Input input(World world, String revision) {
        return new StartDeploymentHandler.Input(RolloutFixtures.request(world.liveTaskDefinition, 600),
                new Release(revision, "web", 2, world.repositoryUri + "@sha256:" + "0".repeat(64), true));
    }

    @Test
    void updatesTheServiceToTheNewRevision() {
        World world = World.create(emulator);
        String revision = world.registerRevision2("v1.0.1");
        CallCounter counter = new CallCounter();
        long before = System.currentTimeMillis();

        Rollout rollout = handler(emulator, counter).apply(input(world, revision), RolloutFixtures.log(RolloutFixtures.lines()));

        assertEquals(revision, world.serviceTaskDefinition());
        assertEquals(1, counter.count("UpdateService"));
        assertTrue(rollout.started());
        assertEquals(revision, rollout.taskDefinition());
        assertTrue(rollout.startedAt() >= before);
        assertEquals(rollout.startedAt() + 600_000, rollout.deadlineAt());
        Deployment primary = world.ecs.describeServices(r -> r.cluster(World.CLUSTER).services(World.SERVICE)).services().get(0)
                .deployments().stream().filter(d -> d.status().equals("PRIMARY")).findFirst().orElseThrow();
        assertEquals(primary.id(), rollout.deploymentId(), "the deployment UpdateService started");
        assertEquals(revision, primary.taskDefinition());
        assertTrue(rollout.serviceDeploymentArn().contains(":service-deployment/" + World.CLUSTER + "/" + World.SERVICE + "/"),
                rollout.serviceDeploymentArn());
        assertEquals(1, counter.count("DescribeServices"), "the read before; UpdateService's answer names the new PRIMARY");
    }

    @Test
    void aRetryDoesNotCallUpdateServiceAgain() {
        World world = World.create(emulator);
        String revision = world.registerRevision2("v1.0.1");
        CallCounter counter = new CallCounter();
        StartDeploymentHandler handler = handler(emulator, counter);

        Rollout first = handler.apply(input(world, revision), RolloutFixtures.log(RolloutFixtures.lines()));
        Rollout retry = handler.apply(input(world, revision), RolloutFixtures.log(RolloutFixtures.lines()));

        assertTrue(first.started());
        assertFalse(retry.started());
        assertEquals(1, counter.count("UpdateService"));
        assertEquals(revision, world.serviceTaskDefinition());
    }

    /** Runs events/start-deployment.json as is; World's rev 2 gets the ARN and image digest the file names. */
    @Test
    void runsTheSampleEvent() throws IOException {
        World world = World.create(emulator);
        JsonNode event = Json.tree(Files.readString(Path.of("..", "events", "start-deployment.json")));
        String revision = world.registerRevision2(event.path("request").path("tag").asText());
        assertEquals(event.path("release").path("taskDefinition").asText(), revision);
        assertEquals(event.path("request").path("previousTaskDefinition").asText(), world.liveTaskDefinition);
        assertTrue(event.path("release").path("image").asText().endsWith(
                world.ecr.describeImages(r -> r.repositoryName(World.REPOSITORY).imageIds(i -> i.imageTag("v1.0.1")))
                        .imageDetails().get(0).imageDigest()));
        CallCounter counter = new CallCounter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        try (InputStream in = Files.newInputStream(Path.of("..", "events", "start-deployment.json"))) {
            handler(emulator, counter).handleRequest(in, out, null);
        }

        JsonNode rollout = Json.tree(out.toString(StandardCharsets.UTF_8));
        assertEquals(revision, rollout.path("taskDefinition").asText());
        assertTrue(rollout.path("started").asBoolean());
        assertEquals(600_000, rollout.path("deadlineAt").asLong() - rollout.path("startedAt").asLong());
        assertEquals(revision, world.serviceTaskDefinition());
        assertEquals(1, counter.count("UpdateService"));
        assertTrue(rollout.path("deploymentId").asText().startsWith("ecs-svc/"), rollout.toString());
    }
}
