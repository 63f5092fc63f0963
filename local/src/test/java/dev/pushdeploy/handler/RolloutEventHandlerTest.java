package dev.pushdeploy.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.rollout.RolloutFixtures;
import dev.pushdeploy.rollout.InMemoryRolloutWatches;
import dev.pushdeploy.rollout.Snapshots;
import dev.pushdeploy.rollout.Watch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RolloutEvents on the sample events shaped after the ECS developer guide's: a stopped task re-checks the rollout a
 * workflow waits for only when it is of the rollout's revision (an old task the rollout replaces is no evidence, and
 * a large service stops one per task); a deployment event always does.
 */
class RolloutEventHandlerTest {
    private static final Path EVENTS = Path.of("..", "events");
    private static final String CONFIG = """
            {"targets": [{"repository": "web", "cluster": "pushdeploy", "service": "web", "container": "app"}]}""";

    @ParameterizedTest
    @CsvSource({
            "ecs-task-stopped.json,           web:2, true",
            "ecs-task-stopped.json,           web:1, false",
            "ecs-deployment-completed.json,   web:1, true",
            "ecs-deployment-in-progress.json, web:2, true"})
    void aStoppedTaskOfAnotherRevisionChecksNothing(String sample, String watchedRevision, boolean checks) throws IOException {
        List<String> observed = new ArrayList<>();
        String revision = "arn:aws:ecs:us-east-1:123456789012:task-definition/" + watchedRevision;
        Watch watch = new Watch("t1", RolloutFixtures.request(Snapshots.REV1, 600), Snapshots.rollout(Snapshots.OURS, revision),
                null, Long.MAX_VALUE, 0);
        InMemoryRolloutWatches watches = new InMemoryRolloutWatches();
        watches.register(watch);
        RolloutEventHandler handler = new RolloutEventHandler((cluster, service, health) -> {
            observed.add(cluster + "/" + service);
            return Snapshots.healthy().build();
        }, ConfigSource.of(ConfigParser.parse(CONFIG)), (request, seconds) -> { }, watches, (token, result) -> true,
                RolloutFixtures.clockAt(Instant.ofEpochMilli(Snapshots.STARTED + 60_000)));

        RolloutEventHandler.Event event = Json.readObject(Files.readString(EVENTS.resolve(sample)).getBytes(StandardCharsets.UTF_8),
                RolloutEventHandler.Event.class, "RolloutEvents");
        RolloutEventHandler.Answer answer = handler.apply(event, RolloutFixtures.log(RolloutFixtures.lines()));
        assertEquals("pushdeploy/web", answer.service());
        assertEquals(checks, answer.waited(), String.valueOf(answer));
        assertEquals(checks ? List.of("pushdeploy/web") : List.of(), observed, "ECS is read only for a check");
    }
}
