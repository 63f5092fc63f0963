package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.SsmConfigSource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.adapter.http.HttpSmokeCheck;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.rollout.RolloutFixtures;
import dev.pushdeploy.rollout.RolloutFixtures.CallCounter;
import dev.pushdeploy.adapter.aws.EcsTaskDefinitions;
import dev.pushdeploy.adapter.aws.SdkEcsServices;
import dev.pushdeploy.adapter.aws.SdkServiceDeployments;
import dev.pushdeploy.adapter.aws.DynamoRolloutWatches;
import dev.pushdeploy.adapter.aws.SdkRolloutObserver;
import dev.pushdeploy.adapter.aws.SfnTaskTokens;
import software.amazon.awssdk.services.sfn.SfnClient;
import dev.pushdeploy.model.Verdict;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.SimulatedEcs;
import dev.pushdeploy.ledger.MutableClock;
import dev.pushdeploy.testing.World;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ecs.EcsClient;

/**
 * Rollback against moto behind the local runtime's ECS simulator, the fleet and the handlers on one clock the test
 * moves: the service really returns to the previous revision, once, and the way back is checked like a rollout.
 */
@ExtendWith(EmulatorExtension.class)
class RollbackHandlerIT {
    private static final CheckResult FAILED = new CheckResult(Verdict.FAILED, "task x stopped [EssentialContainerExited]", 0, 0, 2, 1);
    private final MutableClock clock = new MutableClock(Instant.now());
    private SimulatedEcs front;
    private Emulator emulator;

    @BeforeEach
    void front(Emulator moto) {
        front = SimulatedEcs.before(moto, clock);
        emulator = front.emulator();
    }

    @AfterEach
    void close() {
        front.close();
    }

    private RollbackHandler handler(CallCounter counter) {
        EcsClient ecs = emulator.client(EcsClient.builder().overrideConfiguration(o -> o.addExecutionInterceptor(counter)));
        return new RollbackHandler(new SdkEcsServices(ecs), new SdkServiceDeployments(ecs), new EcsTaskDefinitions(ecs), request -> true, clock);
    }

    private Rollout started(World world) {
        Rollout rollout = Revision2.started(world, clock);
        assertEquals(rollout.taskDefinition(), world.serviceTaskDefinition());
        return rollout;
    }

    private static RollbackHandler.Input input(World world, Rollout rollout) {
        return new RollbackHandler.Input(RolloutFixtures.request(world.liveTaskDefinition, 600), rollout, FAILED, null);
    }

    @Test
    void movesTheServiceBackOnceAndARetryDoesNothing() {
        World world = World.create(emulator);
        Rollout rollout = started(world);
        CallCounter counter = new CallCounter();
        RollbackHandler handler = handler(counter);

        Rollout back = handler.apply(input(world, rollout), RolloutFixtures.log(RolloutFixtures.lines()));

        assertEquals(world.liveTaskDefinition, world.serviceTaskDefinition());
        assertTrue(back.started());
        assertEquals(world.liveTaskDefinition, back.taskDefinition());
        assertEquals(1, counter.count("UpdateService"));

        Rollout retry = handler.apply(input(world, rollout), RolloutFixtures.log(RolloutFixtures.lines()));

        assertFalse(retry.started());
        assertEquals(1, counter.count("UpdateService"));
        assertEquals(world.liveTaskDefinition, world.serviceTaskDefinition());
    }

    @Test
    void theRollbackIsCheckedLikeARollout() {
        World world = World.create(emulator);
        Rollout rollout = started(world);
        clock.advance(Duration.ofSeconds(3));
        Rollout back = handler(new CallCounter()).apply(input(world, rollout), RolloutFixtures.log(RolloutFixtures.lines()));
        SfnClient sfn = emulator.client(SfnClient.builder());
        CheckDeploymentHandler checker = new CheckDeploymentHandler(
                new SdkRolloutObserver(world.ecs, world.elb, HttpSmokeCheck.withDefaultTimeouts()),
                new SsmConfigSource(world.ssm, World.CONFIG_PARAMETER), (request, seconds) -> { },
                new DynamoRolloutWatches(world.dynamo, World.TABLE), new SfnTaskTokens(() -> sfn), clock);
        CheckDeploymentHandler.Input checkBack = new CheckDeploymentHandler.Input(
                RolloutFixtures.request(world.liveTaskDefinition, 600), back, null, null, null, null);

        CheckResult justStarted = checker.apply(checkBack, RolloutFixtures.log(RolloutFixtures.lines()));
        clock.advance(Duration.ofMinutes(2));
        CheckResult done = checker.apply(checkBack, RolloutFixtures.log(RolloutFixtures.lines()));

        assertEquals(Verdict.IN_PROGRESS, justStarted.verdict(), justStarted.reason());
        assertTrue(justStarted.reason().contains("web:1"), justStarted.reason());
        assertEquals(Verdict.HEALTHY, done.verdict(), done.reason());
        assertTrue(done.reason().contains(back.deploymentId() + " (web:1) COMPLETED"), done.reason());
        assertEquals(2, done.running(), done.toString());
    }

    /** Runs events/rollback.json as is, with the service on the revision 2 that the file rolls back from. */
    @Test
    void runsTheSampleEvent() throws IOException {
        World world = World.create(emulator);
        JsonNode event = Json.tree(Files.readString(Path.of("..", "events", "rollback.json")));
        assertEquals(event.path("request").path("previousTaskDefinition").asText(), world.liveTaskDefinition);
        String revision = world.registerRevision2("v1.0.1");
        assertEquals(event.path("rollout").path("taskDefinition").asText(), revision);
        world.ecs.updateService(r -> r.cluster(World.CLUSTER).service(World.SERVICE).taskDefinition(revision));
        CallCounter counter = new CallCounter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        try (InputStream in = Files.newInputStream(Path.of("..", "events", "rollback.json"))) {
            handler(counter).handleRequest(in, out, null);
        }

        JsonNode rollback = Json.tree(out.toString(StandardCharsets.UTF_8));
        assertEquals(world.liveTaskDefinition, rollback.path("taskDefinition").asText());
        assertTrue(rollback.path("started").asBoolean());
        assertEquals(world.liveTaskDefinition, world.serviceTaskDefinition());
        assertEquals(1, counter.count("UpdateService"));
    }
}
