package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The release workflow has a time limit of its own (the README's TIMED_OUT release, ReleaseTimedOutExecutionsAlarm), above
 * its longest legitimate run at the template's largest ReleaseTimeoutSeconds: the plan, each service's deployment and then
 * its rollback (the services of a phase at once, each task at most ReleaseTimeoutSeconds after it started), the record and
 * the notification, every other Task at all its attempts.
 */
class ReleaseTimeLimitTest {
    @Test
    void theReleaseRunsIntoItsTimeLimitOnlyAfterItsLongestLegitimateRun() throws Exception {
        int longestWait = Repo.template().root().path("Parameters").path("ReleaseTimeoutSeconds").path("MaxValue").asInt();
        JsonNode definition = Json.tree(Files.readString(Repo.ROOT.resolve("statemachine/release.asl.json"))
                .replace("${ReleaseTimeoutSeconds}", Integer.toString(longestWait)).replaceAll("\\$\\{[A-Za-z]+}", "x"));
        List<JsonNode> tasks = new ArrayList<>();
        collectTasks(definition.path("States"), tasks);
        long longest = 0;
        for (JsonNode task : tasks) {
            int timeout = task.path("TimeoutSeconds").asInt(-1);
            assertTrue(timeout > 0, "every Task of the release has a TimeoutSeconds: " + task);
            boolean sync = task.path("Resource").asText().endsWith(".sync:2");
            // a .sync task retries only its start call: it runs to its timeout once
            longest += sync ? timeout + HistoryBudgetTest.backoffSeconds(task) : (long) attempts(task) * timeout + HistoryBudgetTest.backoffSeconds(task);
        }
        int limit = definition.path("TimeoutSeconds").asInt(-1);
        System.out.printf("longest release: %d s at ReleaseTimeoutSeconds=%d; TimeoutSeconds %d%n", longest, longestWait, limit);
        assertTrue(limit >= longest && limit <= 2 * longest, "TimeoutSeconds " + limit + " vs the longest release " + longest);
    }

    private static void collectTasks(JsonNode states, List<JsonNode> tasks) {
        states.forEach(state -> {
            if ("Task".equals(state.path("Type").asText())) {
                tasks.add(state);
            }
            collectTasks(state.path("ItemProcessor").path("States"), tasks);
        });
    }

    private static int attempts(JsonNode task) {
        int attempts = 1;
        for (JsonNode retrier : task.path("Retry")) {
            attempts += retrier.path("MaxAttempts").asInt(3);
        }
        return attempts;
    }
}
