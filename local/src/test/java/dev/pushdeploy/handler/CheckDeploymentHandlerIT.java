package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.SsmConfigSource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.adapter.http.HttpSmokeCheck;
import dev.pushdeploy.rollout.PollInterval;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.rollout.RolloutFixtures;
import dev.pushdeploy.rollout.RolloutFixtures.CallCounter;
import dev.pushdeploy.adapter.aws.SdkEcsServices;
import dev.pushdeploy.adapter.aws.DynamoRolloutWatches;
import dev.pushdeploy.adapter.aws.SdkRolloutObserver;
import dev.pushdeploy.adapter.aws.SfnTaskTokens;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import dev.pushdeploy.model.Verdict;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.World;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/**
 * CheckDeployment against moto, whose deployments never progress and run no tasks: the verdict
 * must never be HEALTHY there, must ask for a (fast, early) next poll, and must time out.
 */
@ExtendWith(EmulatorExtension.class)
class CheckDeploymentHandlerIT {
    private static CheckDeploymentHandler handler(Emulator emulator, CallCounter counter, Clock clock) {
        EcsClient ecs = emulator.client(EcsClient.builder().overrideConfiguration(o -> o.addExecutionInterceptor(counter)));
        SfnClient sfn = emulator.client(SfnClient.builder());
        ElasticLoadBalancingV2Client elb = emulator.client(ElasticLoadBalancingV2Client.builder()
                .overrideConfiguration(o -> o.addExecutionInterceptor(counter)));
        return new CheckDeploymentHandler(new SdkRolloutObserver(ecs, elb, HttpSmokeCheck.withDefaultTimeouts()),
                new SsmConfigSource(emulator.client(software.amazon.awssdk.services.ssm.SsmClient.builder()), World.CONFIG_PARAMETER),
                (request, seconds) -> { }, new DynamoRolloutWatches(emulator.client(DynamoDbClient.builder()), World.TABLE),
                new SfnTaskTokens(() -> sfn), clock);
    }

    /** What StartDeployment leaves behind on moto: the service on revision 2, no deployment id. */
    private static Rollout started(World world) {
        String revision = world.registerRevision2("v1.0.1");
        return new StartDeploymentHandler(new SdkEcsServices(world.ecs), request -> true, true, Clock.systemUTC())
                .apply(new StartDeploymentHandler.Input(RolloutFixtures.request(world.liveTaskDefinition, 600),
                        new Release(revision, "web", 2, world.repositoryUri + "@sha256:" + "0".repeat(64), true)),
                        RolloutFixtures.log(RolloutFixtures.lines()));
    }

    private static CheckResult check(Emulator emulator, World world, Rollout rollout, CallCounter counter, Clock clock) {
        return handler(emulator, counter, clock).apply(new CheckDeploymentHandler.Input(
                RolloutFixtures.request(world.liveTaskDefinition, 600), rollout, null, null), RolloutFixtures.log(RolloutFixtures.lines()));
    }

    @Test
    void aNeverProgressingDeploymentIsInProgressWithAFastEarlyPoll(Emulator emulator) {
        World world = World.create(emulator);
        Rollout rollout = started(world);
        CallCounter counter = new CallCounter();

        CheckResult result = check(emulator, world, rollout, counter, Clock.systemUTC());

        assertEquals(Verdict.IN_PROGRESS, result.verdict(), result.reason());
        assertTrue(result.reason().contains("no ECS deployment of web:2 is visible yet"), result.reason());
        assertTrue(result.nextPollSeconds() >= PollInterval.MIN_SECONDS && result.nextPollSeconds() <= 5,
                "poll " + result.nextPollSeconds());
        assertEquals(1, counter.count("DescribeServices"));
        assertEquals(2, counter.count("ListTasks"), "RUNNING and STOPPED");
        assertEquals(1, counter.count("DescribeTargetHealth"), "the service's one target group");
        assertEquals(0, counter.count("UpdateService"));
        assertEquals(rollout.taskDefinition(), world.serviceTaskDefinition(), "a check changes nothing");
    }

    @Test
    void laterChecksPollSlower(Emulator emulator) {
        World world = World.create(emulator);
        Rollout rollout = started(world);
        Clock fiveMinutesIn = RolloutFixtures.clockAt(Instant.ofEpochMilli(rollout.startedAt()).plusSeconds(300));

        CheckResult result = check(emulator, world, rollout, new CallCounter(), fiveMinutesIn);

        assertEquals(Verdict.IN_PROGRESS, result.verdict());
        assertEquals(25, result.nextPollSeconds());
    }

    @Test
    void pastTheDeadlineItTimesOut(Emulator emulator) {
        World world = World.create(emulator);
        Rollout rollout = started(world);
        Clock afterDeadline = RolloutFixtures.clockAt(Instant.ofEpochMilli(rollout.deadlineAt()).plusSeconds(1));

        CheckResult result = check(emulator, world, rollout, new CallCounter(), afterDeadline);

        assertEquals(Verdict.TIMED_OUT, result.verdict());
        assertEquals(0, result.nextPollSeconds());
        assertTrue(result.reason().contains("600 s") && result.reason().contains("web:2"), result.reason());
    }

    @Test
    void theConfiguredSmokeUrlIsCalled(Emulator emulator) throws IOException {
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
            Rollout rollout = started(world);

            CheckResult result = check(emulator, world, rollout, new CallCounter(), Clock.systemUTC());

            assertEquals(1, hits.get());
            assertEquals(Verdict.IN_PROGRESS, result.verdict(), "a passing smoke check alone is not HEALTHY");
        } finally {
            server.stop(0);
        }
    }

    /** Runs events/check-deployment.json as is, after the start it describes; its deadline (2025) has passed. */
    @Test
    void runsTheSampleEvent(Emulator emulator) throws IOException {
        World world = World.create(emulator);
        JsonNode event = Json.tree(Files.readString(Path.of("..", "events", "check-deployment.json")));
        String revision = world.registerRevision2("v1.0.1");
        assertEquals(event.path("rollout").path("taskDefinition").asText(), revision);
        world.ecs.updateService(r -> r.cluster(World.CLUSTER).service(World.SERVICE).taskDefinition(revision));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        try (InputStream in = Files.newInputStream(Path.of("..", "events", "check-deployment.json"))) {
            handler(emulator, new CallCounter(), Clock.systemUTC()).handleRequest(in, out, null);
        }

        JsonNode check = Json.tree(out.toString(StandardCharsets.UTF_8));
        assertEquals("TIMED_OUT", check.path("verdict").asText(), check.toString());
        assertTrue(check.path("reason").asText().contains("no ECS deployment of web:2"), check.toString());
        assertEquals(0, check.path("nextPollSeconds").asInt());
    }
}
