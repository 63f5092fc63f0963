package dev.pushdeploy.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.ops.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code follow} waits for an execution's end: its deadline outlasts every state machine's time limit, so a long release
 * (a lock held for hours ahead of it) is followed to its end instead of being given up as "still runs" with exit code 1.
 * Before, the deadline was 24 h and the release state machine's limit 50 h.
 */
class FollowDeadlineTest {
    @Test
    void followOutlastsTheLongestExecution() throws Exception {
        for (String machine : new String[] {"deploy", "release"}) {
            Path definition = Path.of("..", "statemachine", machine + ".asl.json");
            long limit = Json.tree(Files.readString(definition).replaceAll("\\$\\{[A-Za-z]+}", "1")).path("TimeoutSeconds").asLong(-1);
            assertTrue(limit > 0, machine + " has a time limit");
            assertTrue(Follow.DEADLINE.toSeconds() > limit, "follow gives up after " + Follow.DEADLINE.toSeconds() + " s; "
                    + machine + " may run " + limit + " s");
        }
    }
}
