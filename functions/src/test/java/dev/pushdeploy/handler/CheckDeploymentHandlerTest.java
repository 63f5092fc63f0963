package dev.pushdeploy.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.adapter.json.Trees;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.Health;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.error.RunInterruptedException;
import dev.pushdeploy.error.TransientException;
import dev.pushdeploy.rollout.Deployment;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.rollout.RolloutFixtures;
import dev.pushdeploy.rollout.RolloutObserver;
import dev.pushdeploy.rollout.RolloutSnapshot;
import dev.pushdeploy.rollout.ServiceState;
import dev.pushdeploy.rollout.InMemoryRolloutWatches;
import dev.pushdeploy.rollout.RolloutWatches;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.rollout.TaskTokens;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CheckDeploymentHandlerTest {
    private static final String CONFIG = """
            {"targets": [{"repository": "web", "cluster": "pushdeploy", "service": "web", "container": "app",
              "health": {"smokeUrl": "https://web.example.com/healthz", "expectedStatus": 204, "deadlineSeconds": 600}}]}""";
    private static final String OURS = "ecs-svc/7000000000000000001";

    @Test
    void judgesTheObservedServiceWithTheConfiguredSmokeCheck() {
        List<Health> asked = new ArrayList<>();
        RolloutObserver observer = (cluster, service, health) -> {
            assertEquals("pushdeploy/web", cluster + "/" + service);
            asked.add(health);
            return new RolloutSnapshot(new ServiceState(RolloutFixtures.REV2_ARN,
                    List.of(new Deployment(OURS, "PRIMARY", RolloutFixtures.REV2_ARN, "IN_PROGRESS", null, 1, 2, 1, 0)),
                    List.of(), List.of()), List.of(), List.of(),
                    new RolloutSnapshot.SmokeResult(false, "GET https://web.example.com/healthz answered 503 (expected 204)"));
        };
        Instant start = RolloutFixtures.NOW;
        ObjectNode state = stateAt(start);
        state.set("check", Trees.tree("{\"verdict\":\"IN_PROGRESS\",\"nextPollSeconds\":3}"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        plain(observer, ConfigSource.of(ConfigParser.parse(CONFIG)), RolloutFixtures.clockAt(start.plusSeconds(10)))
                .handleRequest(new ByteArrayInputStream(state.toString().getBytes(StandardCharsets.UTF_8)), out, null);

        assertEquals("https://web.example.com/healthz", asked.get(0).smokeUrl());
        assertEquals(204, asked.get(0).expectedStatus());
        JsonNode check = Trees.tree(out.toString(StandardCharsets.UTF_8));
        assertEquals("IN_PROGRESS", check.path("verdict").asText());
        assertTrue(check.path("reason").asText().contains("1/2 tasks of web:2 running"), check.toString());
        assertEquals(3, check.path("nextPollSeconds").asInt());
        assertEquals(1, check.path("running").asInt());
        assertEquals(2, check.path("desired").asInt());
    }

    @Test
    void aServiceWithoutConfiguredHealthGetsTheDefaults() {
        List<Health> asked = new ArrayList<>();
        RolloutObserver observer = (cluster, service, health) -> {
            asked.add(health);
            return new RolloutSnapshot(new ServiceState(RolloutFixtures.REV2_ARN, List.of(), List.of(), List.of()),
                    List.of(), List.of(), null);
        };
        String other = CONFIG.replace("\"service\": \"web\"", "\"service\": \"api\"");
        Rollout rollout = new Rollout(null, RolloutFixtures.REV2_ARN, 0, Long.MAX_VALUE, true, null);
        plain(observer, ConfigSource.of(ConfigParser.parse(other)), RolloutFixtures.clockAt(RolloutFixtures.NOW))
                .apply(new CheckDeploymentHandler.Input(RolloutFixtures.request(RolloutFixtures.REV1_ARN, 600), rollout, null, null, null, null),
                        RolloutFixtures.log(RolloutFixtures.lines()));
        assertEquals(List.of(Health.DEFAULT), asked);
    }

    /**
     * The watch task's payload as WaitForRollout sends it ({@code retries} from {@code $$.State.RetryCount},
     * {@code waitingSince} from {@code $$.State.EnteredTime}, in AWS's form or moto's): a look that cannot observe the
     * service fails the invocation, for the task's Retry, while the wait's quick retries last (and within their time
     * since the wait began, taken as now when the payload does not say), then leaves the task waiting.
     */
    @ParameterizedTest
    @CsvSource({"0, 5, Z, true", "5, 80, +00:00, true", "6, 5, Z, false", "0, 100, +00:00, false", "0, , , true"})
    void aWatchThatCannotLookFailsForItsRetryAsTheRetryCountAllows(int retries, Integer waited, String zone, boolean failed) {
        Instant start = RolloutFixtures.NOW;
        Instant now = start.plusSeconds(200);
        ObjectNode state = stateAt(start);
        state.put("taskToken", "t1");
        state.put("retries", retries);
        if (waited != null) {
            state.put("waitingSince", zone.equals("Z") ? now.minusSeconds(waited).toString()
                    : now.minusSeconds(waited).atOffset(ZoneOffset.UTC).format(MOTO_TIME));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = new ByteArrayInputStream(state.toString().getBytes(StandardCharsets.UTF_8));

        if (failed) {
            assertTrue(assertThrows(TransientException.class,
                    () -> throttled(now).handleRequest(in, out, null)).getMessage().contains("ThrottlingException"));
        } else {
            throttled(now).handleRequest(in, out, null);
            assertEquals("IN_PROGRESS", Trees.tree(out.toString(StandardCharsets.UTF_8)).path("verdict").asText());
        }
    }

    @Test
    void aWaitsStartThatIsNoTimeIsRefusedNamingTheField() {
        Instant start = RolloutFixtures.NOW;
        ObjectNode state = stateAt(start);
        state.put("taskToken", "t1");
        state.put("retries", 0);
        state.put("waitingSince", "yesterday");
        InputStream in = new ByteArrayInputStream(state.toString().getBytes(StandardCharsets.UTF_8));

        InvalidRequestException refused = assertThrows(InvalidRequestException.class,
                () -> throttled(start.plusSeconds(10)).handleRequest(in, new ByteArrayOutputStream(), null));
        assertTrue(refused.getMessage().contains("waitingSince") && refused.getMessage().contains("'yesterday'"), refused.getMessage());
    }

    /**
     * A wait of an execution redriven after its run was accounted for (the lock released to another run, which watches
     * its own rollout): it registers nothing and looks at nothing, so the holder's watch stays for ECS's event; the run
     * goes to Interrupted (the ASL's catch) and Finalize answers its record. A first execution's wait (0) watches as always.
     */
    @ParameterizedTest
    @CsvSource({"1, true", "0, false"})
    void aRedrivenWaitTakesNoWatch(int redriveCount, boolean refused) {
        InMemoryRolloutWatches watches = new InMemoryRolloutWatches();
        RolloutObserver looked = (cluster, service, health) -> {
            throw new TransientException("ecs:ListTasks pushdeploy/web RUNNING failed transiently: ThrottlingException", null);
        };
        Instant start = RolloutFixtures.NOW;
        CheckDeploymentHandler handler = new CheckDeploymentHandler(looked, ConfigSource.of(ConfigParser.parse(CONFIG)),
                (request, seconds) -> { }, watches, (token, result) -> true, RolloutFixtures.clockAt(start.plusSeconds(10)));
        ObjectNode state = stateAt(start);
        state.put("taskToken", "redriven-token");
        state.put("retries", 0);
        state.put("redriveCount", redriveCount);
        InputStream in = new ByteArrayInputStream(state.toString().getBytes(StandardCharsets.UTF_8));

        if (refused) {
            RunInterruptedException e = assertThrows(RunInterruptedException.class,
                    () -> handler.handleRequest(in, new ByteArrayOutputStream(), null));
            assertTrue(e.getMessage().startsWith("the execution was redriven (1)"), e.getMessage());
            assertTrue(watches.find("pushdeploy", "web").isEmpty(), "no watch registered");
        } else {
            assertThrows(TransientException.class, () -> handler.handleRequest(in, new ByteArrayOutputStream(), null));
            assertEquals("redriven-token", watches.find("pushdeploy", "web").orElseThrow().token(), "registered, then looked");
        }
    }

    /** How moto writes {@code $$.State.EnteredTime} (Python's isoformat): microseconds, the offset as +00:00. */
    private static final DateTimeFormatter MOTO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");

    /** The handler at {@code now}, every look at the service throttled beyond the SDK's retries; nothing to resume. */
    private static CheckDeploymentHandler throttled(Instant now) {
        RolloutObserver throttled = (cluster, service, health) -> {
            throw new TransientException("ecs:ListTasks pushdeploy/web RUNNING failed transiently: "
                    + "ThrottlingException: Rate exceeded", null);
        };
        return new CheckDeploymentHandler(throttled, ConfigSource.of(ConfigParser.parse(CONFIG)),
                (request, seconds) -> { }, new InMemoryRolloutWatches(), (token, result) -> {
                    throw new AssertionError("nothing to resume: " + result);
                }, RolloutFixtures.clockAt(now));
    }

    /** The state document of a check of our rollout of web:2 that started at {@code start}, its deadline 600 s later. */
    private static ObjectNode stateAt(Instant start) {
        Rollout rollout = new Rollout(OURS, RolloutFixtures.REV2_ARN, start.toEpochMilli(), start.plusSeconds(600).toEpochMilli(), true, null);
        ObjectNode state = Trees.object();
        state.set("request", Trees.mapper().valueToTree(RolloutFixtures.request(RolloutFixtures.REV1_ARN, 600)));
        state.set("rollout", Trees.mapper().valueToTree(rollout));
        return state;
    }

    /** A handler for plain checks: it must never touch the watches or the task tokens. */
    private static CheckDeploymentHandler plain(RolloutObserver observer, ConfigSource config, java.time.Clock clock) {
        RolloutWatches watches = InMemoryRolloutWatches.lookupOnly((cluster, service) -> {
            throw new AssertionError("a plain check reads no watch");
        });
        TaskTokens tokens = (token, result) -> {
            throw new AssertionError("a plain check resumes no workflow");
        };
        return new CheckDeploymentHandler(observer, config, (request, seconds) -> { }, watches, tokens, clock);
    }
}
