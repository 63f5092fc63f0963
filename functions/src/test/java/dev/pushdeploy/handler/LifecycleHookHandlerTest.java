package dev.pushdeploy.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.json.Trees;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.Health;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.error.ConfigurationException;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.rollout.AlarmStates;
import dev.pushdeploy.rollout.Deployment;
import dev.pushdeploy.rollout.FakeServiceDeployments;
import dev.pushdeploy.error.TransientException;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.rollout.InMemoryHookRecords;
import dev.pushdeploy.rollout.InMemoryRolloutWatches;
import dev.pushdeploy.rollout.RolloutFixtures;
import dev.pushdeploy.rollout.RolloutSnapshot;
import dev.pushdeploy.rollout.RolloutWatches;
import dev.pushdeploy.rollout.Watch;
import dev.pushdeploy.rollout.ServiceDeploymentState;
import dev.pushdeploy.rollout.ServiceState;
import dev.pushdeploy.config.Strategy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The hook as ECS calls it: its payload in, {@code hookStatus} out, the record written. */
class LifecycleHookHandlerTest {
    static final String REV1 = RolloutFixtures.REV1_ARN;
    static final String REV2 = RolloutFixtures.REV2_ARN;
    static final String TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0";
    static final String ALT = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-alt/1";
    static final String CONFIG = """
            {"targets": [{"repository": "web", "cluster": "pushdeploy", "service": "web", "container": "app",
              "health": {"expectedStatus": 200, "deadlineSeconds": 600, "alarms": ["web-5xx"]},
              "strategy": {"type": "CANARY", "testUrl": "http://alb.example/health", "testHeader": "X-Pushdeploy-Test",
                           "testHeaderValue": "f00d"}}]}""";

    final FakeServiceDeployments deployments = new FakeServiceDeployments();
    final InMemoryHookRecords records = new InMemoryHookRecords();
    final List<Map<String, String>> probes = new ArrayList<>();
    final AtomicReference<String> smokeAnswer = new AtomicReference<>("200");
    final AtomicReference<String> alarm = new AtomicReference<>("OK");
    final PipelineConfig config = ConfigParser.parse(CONFIG);
    final java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean();

    final InMemoryRolloutWatches watches = new InMemoryRolloutWatches();
    /** The configuration versions the hook read (null: the current document). */
    final List<Long> versions = new ArrayList<>();
    /** The current document; the versions a run pinned read as they were. */
    final ConfigSource source = new ConfigSource() {
        @Override
        public PipelineConfig load() {
            return load(null);
        }

        @Override
        public PipelineConfig load(Long version) {
            versions.add(version);
            if (broken.get() && version == null) {
                throw new ConfigurationException("configuration: not valid JSON: Unexpected end-of-input");
            }
            return config;
        }
    };

    LifecycleHookHandler handler() {
        return handler(watches);
    }

    LifecycleHookHandler handler(RolloutWatches runs) {
        AlarmStates alarms = names -> names.stream().map(n -> new AlarmStates.AlarmState(n, alarm.get(), "Threshold Crossed",
                RolloutFixtures.NOW.toEpochMilli())).toList();
        return new LifecycleHookHandler(source, deployments, (cluster, service, health) -> snapshot(), (url, expected, headers) -> {
            probes.add(Map.of("url", url, "headers", headers.toString()));
            return new RolloutSnapshot.SmokeResult(smokeAnswer.get().equals("200"), "GET " + url + " answered " + smokeAnswer.get());
        }, alarms, records, runs, RolloutFixtures.clockAt(RolloutFixtures.NOW.plusSeconds(60)));
    }

    /** Revision 2 (canary) runs two tasks in the alternate group beside revision 1. */
    static RolloutSnapshot snapshot() {
        ServiceState service = new ServiceState(REV2, List.of(
                new Deployment("ecs-svc/2", "PRIMARY", REV2, "IN_PROGRESS", null, 2, 2, 0, 0),
                new Deployment("ecs-svc/1", "ACTIVE", REV1, "COMPLETED", null, 2, 2, 0, 0)),
                List.of(TG), List.of(), Strategy.Type.CANARY, List.of(ALT));
        return new RolloutSnapshot(service, List.of(
                task("t1", REV1, "10.0.1.1"), task("t2", REV1, "10.0.1.2"), task("t3", REV2, "10.0.1.3"), task("t4", REV2, "10.0.1.4")),
                List.of(new RolloutSnapshot.TargetState(TG, "10.0.1.1", 8080, "healthy", null),
                        new RolloutSnapshot.TargetState(TG, "10.0.1.2", 8080, "healthy", null),
                        new RolloutSnapshot.TargetState(ALT, "10.0.1.3", 8080, "healthy", null),
                        new RolloutSnapshot.TargetState(ALT, "10.0.1.4", 8080, "healthy", null)), null);
    }

    static RolloutSnapshot.TaskState task(String id, String revision, String ip) {
        return new RolloutSnapshot.TaskState("arn:aws:ecs:us-east-1:123456789012:task/pushdeploy/" + id, "ecs-svc/x", revision,
                "RUNNING", "RUNNING", null, null, List.of(), ip);
    }

    /** ECS's payload, as the ECS developer guide and its Lambda logs show it. */
    static String payload(ServiceDeploymentState d, String stage, String productionWeights, String hookDetails) {
        return """
                {"executionDetails": {"testTrafficWeights": {}, "productionTrafficWeights": %s,
                   "serviceArn": "arn:aws:ecs:us-east-1:123456789012:service/pushdeploy/web",
                   "targetServiceRevisionArn": "%s"},
                 "executionId": "a635edb5-a66b-4f44-bf3f-fcee4b3641a5", "lifecycleStage": "%s", "resourceArn": "%s"%s}"""
                .formatted(productionWeights, d.targetRevisionArn(), stage, d.arn(), hookDetails == null ? "" : ", \"hookDetails\": " + hookDetails);
    }

    JsonNode invoke(String payload) {
        return invoke(handler(), payload);
    }

    static JsonNode invoke(LifecycleHookHandler handler, String payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(payload.getBytes(StandardCharsets.UTF_8)), out, null);
        return Trees.tree(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theTestStageRequestsTheNewRevisionThroughTheTestListener() {
        ServiceDeploymentState d = deployments.add(REV2, "IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", RolloutFixtures.NOW.toEpochMilli());

        JsonNode answer = invoke(payload(d, "POST_TEST_TRAFFIC_SHIFT", "{}", null));

        assertEquals("{\"hookStatus\":\"SUCCEEDED\"}", answer.toString());
        assertEquals(List.of(Map.of("url", "http://alb.example/health", "headers", "{X-Pushdeploy-Test=f00d}")), probes);
        assertEquals("POST_TEST_TRAFFIC_SHIFT", records.find(d.arn()).orElseThrow().stage());
    }

    @Test
    void aFailingSmokeCheckAsksAgainWithItsCountThenFailsWithEvidence() {
        ServiceDeploymentState d = deployments.add(REV2, "IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", RolloutFixtures.NOW.toEpochMilli());
        smokeAnswer.set("503");

        JsonNode first = invoke(payload(d, "POST_TEST_TRAFFIC_SHIFT", "{}", null));
        assertEquals("IN_PROGRESS", first.path("hookStatus").asText());
        assertEquals(10, first.path("callBackDelay").asInt());
        JsonNode second = invoke(payload(d, "POST_TEST_TRAFFIC_SHIFT", "{}", first.path("hookDetails").toString()));
        JsonNode third = invoke(payload(d, "POST_TEST_TRAFFIC_SHIFT", "{}", second.path("hookDetails").toString()));

        assertEquals("{\"hookStatus\":\"FAILED\"}", third.toString());
        String failure = records.find(d.arn()).orElseThrow().failure();
        assertTrue(failure.contains("smoke check through the test listener failed 3 times") && failure.contains("answered 503"), failure);
    }

    @Test
    void theProductionShiftRecordsTheCanaryShareAndJudgesTheAlarms() {
        ServiceDeploymentState d = deployments.add(REV2, "IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", RolloutFixtures.NOW.toEpochMilli());
        String weights = "{\"" + d.targetRevisionArn() + "\": 5.0, \"arn:aws:ecs:us-east-1:123456789012:service-revision/pushdeploy/web/0\": 95.0}";

        assertEquals("SUCCEEDED", invoke(payload(d, "PRODUCTION_TRAFFIC_SHIFT", weights, null)).path("hookStatus").asText());
        assertEquals(5.0, records.find(d.arn()).orElseThrow().productionPercent());

        alarm.set("ALARM");
        assertEquals("FAILED", invoke(payload(d, "POST_PRODUCTION_TRAFFIC_SHIFT", "{}", null)).path("hookStatus").asText());
        assertEquals(100.0, records.find(d.arn()).orElseThrow().productionPercent());
        assertTrue(records.find(d.arn()).orElseThrow().failure().contains("alarm web-5xx is in ALARM"));
        assertTrue(probes.isEmpty(), "no smoke check outside the test stages");
    }

    @Test
    void aPayloadWithoutTheTargetRevisionIsJudgedByEcsShare() {
        ServiceDeploymentState d = deployments.add(REV2, "IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", RolloutFixtures.NOW.toEpochMilli());
        String payload = payload(d, "PRODUCTION_TRAFFIC_SHIFT", "{}", null).replaceAll(",\\s*\"targetServiceRevisionArn\": \"[^\"]*\"", "");
        assertFalse(payload.contains("targetServiceRevisionArn"), payload);

        assertEquals("SUCCEEDED", invoke(payload).path("hookStatus").asText());
        assertEquals("PRODUCTION_TRAFFIC_SHIFT", records.find(d.arn()).orElseThrow().stage());
    }

    @Test
    void theWayBackIsNeverHeldUpNorRecorded() {
        ServiceDeploymentState d = deployments.add(REV2, "ROLLBACK_IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", RolloutFixtures.NOW.toEpochMilli());
        alarm.set("ALARM");

        assertEquals("SUCCEEDED", invoke(payload(d, "PRODUCTION_TRAFFIC_SHIFT", "{}", null)).path("hookStatus").asText());
        assertTrue(records.find(d.arn()).isEmpty());
    }

    @Test
    void aServiceDeploymentEcsDoesNotShowYetIsAskedAgain() {
        ServiceDeploymentState unknown = new ServiceDeploymentState("arn:aws:ecs:us-east-1:123456789012:service-deployment/pushdeploy/web/nope",
                "IN_PROGRESS", null, null, "arn:aws:ecs:us-east-1:123456789012:service-revision/pushdeploy/web/9", REV2, null, null, null,
                List.of(), 0);
        JsonNode answer = invoke(payload(unknown, "PRODUCTION_TRAFFIC_SHIFT", "{}", null));
        assertEquals("IN_PROGRESS", answer.path("hookStatus").asText());
        assertEquals("PRODUCTION_TRAFFIC_SHIFT", answer.path("hookDetails").path("stage").asText());
    }

    @Test
    void aServiceOutsideTheConfigurationFails() {
        ServiceDeploymentState d = deployments.add(REV2, "IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", RolloutFixtures.NOW.toEpochMilli());
        String other = payload(d, "PRODUCTION_TRAFFIC_SHIFT", "{}", null).replace("service/pushdeploy/web", "service/pushdeploy/other");
        assertEquals("{\"hookStatus\":\"FAILED\"}", invoke(other).toString());
    }

    /**
     * A configuration that cannot be read (broken by hand during the deployment) is asked again, as an AWS error is, not
     * failed: a failed hook would make ECS roll a healthy deployment back. The wait ends by the longest rollout deadline.
     */
    @Test
    void aConfigurationThatCannotBeReadIsAskedAgainUntilTheLongestDeadline() {
        ServiceDeploymentState d = deployments.add(REV2, "IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", RolloutFixtures.NOW.toEpochMilli());
        broken.set(true);
        JsonNode first = invoke(payload(d, "PRODUCTION_TRAFFIC_SHIFT", "{}", null));
        assertEquals("IN_PROGRESS", first.path("hookStatus").asText(), first.toString());
        assertTrue(records.find(d.arn()).isEmpty(), "nothing judged, nothing recorded");

        long sinceLongAgo = RolloutFixtures.NOW.plusSeconds(60).toEpochMilli() - 1000L * Health.MAX_DEADLINE_SECONDS;
        String details = first.path("hookDetails").toString().replaceAll("\"since\":\"\\d+\"", "\"since\":\"" + sinceLongAgo + "\"");
        assertEquals("FAILED", invoke(payload(d, "PRODUCTION_TRAFFIC_SHIFT", "{}", details)).path("hookStatus").asText());

        broken.set(false);
        assertEquals("SUCCEEDED", invoke(payload(d, "PRODUCTION_TRAFFIC_SHIFT", "{}", first.path("hookDetails").toString()))
                .path("hookStatus").asText(), "judged again once the document reads");
    }

    @Test
    void somethingElseThanEcsPayloadIsAnInvalidRequest() {
        assertThrows(InvalidRequestException.class, () -> invoke("{\"detail\": {}}"));
    }

    /**
     * The document a stage is judged by: the version the run that started the deployment was prepared with, read from
     * the run's watch when it names this deployment or none; the current one when no run watches the service or the
     * watch is another deployment's. The current document is broken here, so each row also says whether a stage
     * survives a hand edit made while ECS shifts traffic.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "this deployment's run,      this,    3,     SUCCEEDED",
        "a run that reported none,   none,    3,     SUCCEEDED",
        "another deployment's run,   another, ,      IN_PROGRESS",
        "no run,                     absent,  ,      IN_PROGRESS"})
    void aStageIsJudgedByTheConfigurationVersionOfTheRunThatStartedTheDeployment(String row, String watched, Long version,
                                                                               String status) {
        ServiceDeploymentState d = deployments.add(REV2, "IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", RolloutFixtures.NOW.toEpochMilli());
        String arn = switch (watched) {
            case "this" -> d.arn();
            case "another" -> "arn:aws:ecs:us-east-1:123456789012:service-deployment/pushdeploy/web/older";
            default -> null;
        };
        if (!watched.equals("absent")) {
            watches.register(new Watch("t1", RolloutFixtures.request(REV1, 600).toBuilder().configVersion(3L).build(),
                    new Rollout("ecs-svc/2", REV2, 0, Long.MAX_VALUE, true, arn), null, Long.MAX_VALUE, 0));
        }
        broken.set(true);

        assertEquals(status, invoke(payload(d, "PRODUCTION_TRAFFIC_SHIFT", "{}", null)).path("hookStatus").asText(), row);
        assertEquals(java.util.Collections.singletonList(version), versions, row);
    }

    /** A watch that cannot be read leaves the stage to the current document, as before the run's version was carried. */
    @Test
    void aWatchThatCannotBeReadLeavesTheStageToTheCurrentDocument() {
        ServiceDeploymentState d = deployments.add(REV2, "IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", RolloutFixtures.NOW.toEpochMilli());
        RolloutWatches throttled = InMemoryRolloutWatches.lookupOnly((cluster, service) -> {
            throw new TransientException("dynamodb:GetItem watch of " + cluster + "/" + service + " failed transiently: throttled", null);
        });

        assertEquals("SUCCEEDED", invoke(handler(throttled), payload(d, "PRODUCTION_TRAFFIC_SHIFT", "{}", null)).path("hookStatus").asText());
        assertEquals(java.util.Collections.singletonList((Long) null), versions);
    }
}
