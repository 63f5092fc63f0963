package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.SsmConfigSource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.adapter.http.HttpSmokeCheck;
import dev.pushdeploy.rollout.PollInterval;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.rollout.RolloutFixtures;
import dev.pushdeploy.rollout.RolloutFixtures.CallCounter;
import dev.pushdeploy.adapter.aws.DynamoRolloutWatches;
import dev.pushdeploy.adapter.aws.SdkRolloutObserver;
import dev.pushdeploy.adapter.aws.SfnTaskTokens;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import dev.pushdeploy.model.Verdict;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.SimulatedEcs;
import dev.pushdeploy.ledger.MutableClock;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.testing.World;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/**
 * CheckDeployment against moto behind the local runtime's ECS simulator (moto's deployments never progress and run no
 * tasks), the simulated fleet and the handler on one clock the test moves: a rollout just started is in progress and
 * polled fast and early, a completed one is HEALTHY once its targets and smoke URL answer, a crashing revision FAILED,
 * and one past its deadline TIMED_OUT.
 */
@ExtendWith(EmulatorExtension.class)
class CheckDeploymentHandlerIT {
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

    private CheckDeploymentHandler handler(CallCounter counter) {
        EcsClient ecs = emulator.client(EcsClient.builder().overrideConfiguration(o -> o.addExecutionInterceptor(counter)));
        SfnClient sfn = emulator.client(SfnClient.builder());
        ElasticLoadBalancingV2Client elb = emulator.client(ElasticLoadBalancingV2Client.builder()
                .overrideConfiguration(o -> o.addExecutionInterceptor(counter)));
        return new CheckDeploymentHandler(new SdkRolloutObserver(ecs, elb, HttpSmokeCheck.withDefaultTimeouts()),
                new SsmConfigSource(emulator.client(software.amazon.awssdk.services.ssm.SsmClient.builder()), World.CONFIG_PARAMETER),
                (request, seconds) -> { }, new DynamoRolloutWatches(emulator.client(DynamoDbClient.builder()), World.TABLE),
                new SfnTaskTokens(() -> sfn), clock);
    }

    private CheckResult check(World world, Rollout rollout, CallCounter counter) {
        return handler(counter).apply(new CheckDeploymentHandler.Input(
                RolloutFixtures.request(world.liveTaskDefinition, 600), rollout, null, null, null, null), RolloutFixtures.log(RolloutFixtures.lines()));
    }

    /** Checks as the workflow polls, the clock moved by each answer's next poll, until the verdict is final (60 checks at most). */
    private CheckResult checkWhileInProgress(World world, Rollout rollout) {
        CheckResult result = check(world, rollout, new CallCounter());
        for (int i = 0; i < 60 && result.verdict() == Verdict.IN_PROGRESS; i++) {
            clock.advance(Duration.ofSeconds(result.nextPollSeconds()));
            result = check(world, rollout, new CallCounter());
        }
        return result;
    }

    @Test
    void aRolloutJustStartedIsInProgressWithAFastEarlyPoll() {
        World world = World.create(emulator);
        Rollout rollout = Revision2.started(world, clock);
        CallCounter counter = new CallCounter();

        CheckResult result = check(world, rollout, counter);

        assertEquals(Verdict.IN_PROGRESS, result.verdict(), result.reason());
        assertTrue(result.reason().startsWith("ECS's service deployment of web:2 is PENDING: 0/2 tasks running"), result.reason());
        assertTrue(result.nextPollSeconds() >= PollInterval.MIN_SECONDS && result.nextPollSeconds() <= 5,
                "poll " + result.nextPollSeconds());
        assertEquals(0, counter.count("UpdateService"));
        assertEquals(rollout.taskDefinition(), world.serviceTaskDefinition(), "a check changes nothing");
    }

    @Test
    void aCompletedRolloutIsHealthyOnceItsSmokeUrlAnswers() throws IOException {
        AtomicInteger hits = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/healthz", exchange -> {
            hits.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/healthz";
            World world = World.create(emulator, World.configDocument(null).replace("\"expectedStatus\": 200",
                    "\"smokeUrl\": \"" + url + "\", \"expectedStatus\": 204"));
            Rollout rollout = Revision2.started(world, clock);
            clock.advance(Duration.ofMinutes(2));
            CallCounter counter = new CallCounter();

            CheckResult result = check(world, rollout, counter);

            assertEquals(Verdict.HEALTHY, result.verdict(), result.reason());
            assertTrue(result.reason().contains(rollout.deploymentId() + " (web:2) COMPLETED"), result.reason());
            assertEquals(World.DESIRED_COUNT, result.running(), result.toString());
            assertEquals(1, hits.get(), "the smoke URL, once");
            assertEquals(1, counter.count("DescribeTargetHealth"), "the service's one target group");
            assertEquals(0, counter.count("UpdateService"));
        } finally {
            server.stop(0);
        }
    }

    /** Checked every few seconds, a crashing revision fails on its stopped tasks, before ECS's circuit breaker trips. */
    @Test
    void aCrashingRevisionFailsOnItsStoppedTasks() {
        World world = World.create(emulator);
        front.simulator().scenario(Scenario.CRASH_LOOP);
        Rollout rollout = Revision2.started(world, clock);
        CheckResult result = checkWhileInProgress(world, rollout);

        assertEquals(Verdict.FAILED, result.verdict(), result.reason());
        assertTrue(result.reason().contains("(web:2) stopped [EssentialContainerExited]"), result.reason());
        assertTrue(result.failedTasks() >= 2, result.toString());
        assertEquals(0, result.nextPollSeconds());
    }

    /** Checked only once it is over, the same rollout was rolled back by ECS itself, and the check says so. */
    @Test
    void aCrashingRevisionCheckedLateWasRolledBackByEcs() {
        World world = World.create(emulator);
        front.simulator().scenario(Scenario.CRASH_LOOP);
        Rollout rollout = Revision2.started(world, clock);
        clock.advance(Duration.ofMinutes(2));

        CheckResult result = check(world, rollout, new CallCounter());

        assertEquals(Verdict.ROLLED_BACK_BY_ECS, result.verdict(), result.reason());
        assertTrue(result.reason().contains("Circuit breaker triggered") && result.reason().contains("back to web:1"), result.reason());
    }

    /**
     * Someone forces a new deployment of the same revision while ours rolls out (the console's "Force new deployment",
     * a stack update of a service property): ECS ends our service deployment STOPPED and goes on to the revision in
     * the new one. The rollout is not failed for it: it is judged on the newer service deployment, HEALTHY once that
     * completes.
     */
    @Test
    void aNewerDeploymentOfTheSameRevisionCarriesTheRolloutOn() {
        World world = World.create(emulator);
        Rollout rollout = Revision2.started(world, clock);
        clock.advance(Duration.ofSeconds(2));
        assertEquals(Verdict.IN_PROGRESS, check(world, rollout, new CallCounter()).verdict());
        world.ecs.updateService(r -> r.cluster(World.CLUSTER).service(World.SERVICE).forceNewDeployment(true));

        CheckResult result = checkWhileInProgress(world, rollout);

        assertEquals(Verdict.HEALTHY, result.verdict(), result.reason());
        assertTrue(result.reason().contains("(web:2) COMPLETED"), result.reason());
        assertEquals(rollout.taskDefinition(), world.serviceTaskDefinition());
    }

    @Test
    void laterChecksPollSlower() {
        World world = World.create(emulator);
        front.simulator().rolloutSeconds(3600);
        Rollout rollout = Revision2.started(world, clock);
        clock.advance(Duration.ofMinutes(5));

        CheckResult result = check(world, rollout, new CallCounter());

        assertEquals(Verdict.IN_PROGRESS, result.verdict(), result.reason());
        assertEquals(25, result.nextPollSeconds());
    }

    @Test
    void pastTheDeadlineItTimesOut() {
        World world = World.create(emulator);
        front.simulator().rolloutSeconds(3600);
        Rollout rollout = Revision2.started(world, clock);
        clock.set(Instant.ofEpochMilli(rollout.deadlineAt()).plusSeconds(1));

        CheckResult result = check(world, rollout, new CallCounter());

        assertEquals(Verdict.TIMED_OUT, result.verdict(), result.reason());
        assertEquals(0, result.nextPollSeconds());
        assertTrue(result.reason().contains("600 s") && result.reason().contains("web:2"), result.reason());
    }

    /** Runs events/check-deployment.json as is, after the start it describes; its deadline (2025) has passed. */
    @Test
    void runsTheSampleEvent() throws IOException {
        World world = World.create(emulator);
        JsonNode event = Json.tree(Files.readString(Path.of("..", "events", "check-deployment.json")));
        String revision = world.registerRevision2("v1.0.1");
        assertEquals(event.path("rollout").path("taskDefinition").asText(), revision);
        world.ecs.updateService(r -> r.cluster(World.CLUSTER).service(World.SERVICE).taskDefinition(revision));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        try (InputStream in = Files.newInputStream(Path.of("..", "events", "check-deployment.json"))) {
            handler(new CallCounter()).handleRequest(in, out, null);
        }

        JsonNode check = Json.tree(out.toString(StandardCharsets.UTF_8));
        assertEquals("TIMED_OUT", check.path("verdict").asText(), check.toString());
        assertTrue(check.path("reason").asText().contains("web:2"), check.toString());
        assertEquals(0, check.path("nextPollSeconds").asInt());
    }
}
