package dev.pushdeploy.local.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.TestRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./pushdeploy}'s Main in its own JVM, as the launcher script runs it (time sped up). */
class CliIT {
    /** A build the local repository does not have yet (its tags are immutable): the event's push brings it. */
    static final String TAG = "v1.2.0";
    static final String DIGEST = "sha256:" + "c0ffee".repeat(10) + "abcd";

    @TempDir
    Path dir;

    @Test
    void aGoodPushSucceedsWithOneLinePerStateAndASummaryAndDumps() throws Exception {
        Path event = write("push.json", LocalRuntime.ecrPushEvent("web", TAG, DIGEST).toString());
        Path dump = dir.resolve("dump");
        Cli cli = Cli.run(dir, "run", "--event", event.toString(), "--dump", dump.toString());

        assertEquals(0, cli.exit, cli.err);
        assertTrue(cli.lines().stream().anyMatch(l -> l.matches("\\s+[0-9.]+s  CheckDeployment\\s+HEALTHY.*")), cli.out);
        assertTrue(cli.lines().stream().anyMatch(l -> l.matches("\\s+[0-9.]+s  Finalize\\s+SUCCEEDED.*")), cli.out);
        JsonNode summary = cli.summary();
        assertEquals("SUCCEEDED", summary.path("outcome").asText());
        assertEquals("pushdeploy/web", summary.path("service").asText());
        assertTrue(summary.path("image").asText().endsWith("@" + DIGEST));
        assertEquals(revision(summary.path("previousTaskDefinition").asText()) + 1, revision(summary.path("taskDefinition").asText()),
                "the pushed image runs in a new revision of web");
        assertTrue(summary.path("awsWrites").asInt() > 0);

        assertEquals(summary, Json.tree(Files.readString(dump.resolve("summary.json"))));
        assertTrue(Json.tree(Files.readString(dump.resolve("history.json"))).size() > 20);
        JsonNode parameters = Json.tree(Files.readString(dump.resolve("ssm.json")));
        List<String> secrets = new ArrayList<>();
        parameters.forEach(p -> {
            if (p.path("name").asText().startsWith("/pushdeploy/web/app-signing-key/")) {
                secrets.add(p.path("value").asText());
            }
        });
        assertEquals(2, secrets.size(), "both slots, decrypted");
        secrets.forEach(s -> assertFalse(cli.out.contains(s) || cli.err.contains(s), "a secret value in the CLI output"));
    }

    @Test
    void aCrashLoopingPushIsRolledBackWithExitCode3() throws Exception {
        Path event = write("push.json", LocalRuntime.ecrPushEvent("web", TAG, DIGEST).toString());
        Cli cli = Cli.run(dir, "run", "--event", event.toString(), "--scenario", "crash-loop");
        assertEquals(3, cli.exit, cli.err);
        assertEquals("ROLLED_BACK", cli.summary().path("outcome").asText());
        assertEquals(cli.summary().path("previousTaskDefinition").asText(), cli.summary().path("taskDefinition").asText());
    }

    @Test
    void anEventTheRuleDoesNotMatchStartsNothing() throws Exception {
        Path event = write("other.json", LocalRuntime.ecrPushEvent("api", TAG, DIGEST).toString());
        Cli cli = Cli.run(dir, "run", "--event", event.toString());
        assertEquals(0, cli.exit, cli.err);
        assertEquals("NOT_MATCHED", cli.summary().path("outcome").asText());
        assertEquals(0, cli.summary().path("awsWrites").asInt());
        assertEquals(1, cli.lines().size(), "no state ran");
    }

    @Test
    void invokeRunsOneFunctionLikeSamLocalInvoke() throws Exception {
        JsonNode push = LocalRuntime.ecrPushEvent("web", TAG, DIGEST);
        Path event = write("push.json", push.toString());
        Cli cli = Cli.run(dir, "invoke", "PrepareFunction", "--event", event.toString());
        assertEquals(0, cli.exit, cli.err);
        JsonNode request = Json.tree(cli.out);
        assertEquals("PROCEED", request.path("decision").asText());
        assertTrue(request.path("previousTaskDefinition").asText().matches(".*:task-definition/web:[0-9]+"), request.toString());
    }

    @Test
    void missingArgumentsExplainTheUsage() throws Exception {
        Cli cli = Cli.run(dir, "run", "--scenario", "healthy");
        assertEquals(1, cli.exit);
        assertTrue(cli.err.contains("--event is required"), cli.err);
        Cli unknown = Cli.run(dir, "run", "--event", "x.json", "--scenario", "flaky");
        assertEquals(1, unknown.exit);
        assertTrue(unknown.err.contains("unknown scenario 'flaky'"), unknown.err);
    }

    /** The revision number of a task definition ARN. */
    private static int revision(String taskDefinition) {
        assertTrue(taskDefinition.matches(".*:task-definition/web:[0-9]+"), taskDefinition);
        return Integer.parseInt(taskDefinition.substring(taskDefinition.lastIndexOf(':') + 1));
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    /** One run of the CLI in a child JVM with the test classpath. */
    record Cli(int exit, String out, String err) {
        static Cli run(Path dir, String... args) throws Exception {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    "-Dpushdeploy.root=" + TestRuntime.root(),
                    Main.class.getName()));
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectOutput(dir.resolve("out.txt").toFile())
                    .redirectError(dir.resolve("err.txt").toFile());
            Process process = pb.start();
            if (!process.waitFor(180, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the CLI did not finish within 180 s");
            }
            return new Cli(process.exitValue(), Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
                    Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8));
        }

        List<String> lines() {
            return out.lines().toList();
        }

        JsonNode summary() {
            List<String> lines = lines();
            return Json.tree(lines.get(lines.size() - 1));
        }
    }
}
