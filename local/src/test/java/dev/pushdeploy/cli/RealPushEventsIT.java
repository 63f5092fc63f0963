package dev.pushdeploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.run.RunResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `./pushdeploy run` on the real-shaped push events in events/: the media types ECR adds, an
 * untagged push ({@code "image-tag": ""}, or the tag null or missing) and a multi-arch image
 * index. Untagged pushes end IGNORED with their reason and exit 0.
 */
class RealPushEventsIT {
    @TempDir
    Path dir;

    private static Path event(String name) {
        return TestRuntime.root().resolve("events").resolve(name);
    }

    @Test
    void anUntaggedPushIsIgnoredWithItsReasonAndExitCode0() throws Exception {
        CliProcess.Result cli = new CliProcess(dir, Map.of("PUSHDEPLOY_STATE_DIR", dir.resolve("state").toString()))
                .run("run", "--event", event("ecr-push-untagged.json").toString());
        assertEquals(0, cli.exit(), cli.err());
        assertEquals("IGNORED", cli.summary().path("outcome").asText(), cli.out());
        assertTrue(cli.summary().path("reason").asText().contains("without a tag"), cli.out());
        assertFalse(cli.err().contains("Exception"), cli.err());
    }

    /** The same path as `run` (rule, image push, state machine), in process: a null or missing tag, and an image index. */
    @Test
    void aNullOrMissingTagIsIgnoredAndAnImageIndexDeploysItsDigest() throws Exception {
        LocalRuntime runtime = TestRuntime.fresh();
        for (boolean missing : new boolean[] {true, false}) {
            ObjectNode push = (ObjectNode) Json.tree(Files.readString(event("ecr-push-untagged.json")));
            ObjectNode detail = (ObjectNode) push.get("detail");
            if (missing) {
                detail.remove("image-tag");
            } else {
                detail.putNull("image-tag");
            }
            RunResult result = runtime.run(push.toString(), Scenario.HEALTHY, "untagged-" + missing, line -> { });
            assertEquals("IGNORED", result.outcome(), (missing ? "missing" : "null") + " tag: " + result.reason());
            assertTrue(result.reason().contains("without a tag"), result.reason());
        }

        String index = Files.readString(event("ecr-push-image-index.json"));
        RunResult deployed = runtime.run(index, Scenario.HEALTHY, "image-index", line -> { });
        assertEquals("SUCCEEDED", deployed.outcome(), deployed.reason());
        String digest = Json.tree(index).path("detail").path("image-digest").asText();
        assertTrue(deployed.image().endsWith("@" + digest), deployed.image());
    }
}
