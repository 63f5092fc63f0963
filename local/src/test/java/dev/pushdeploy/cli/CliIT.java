package dev.pushdeploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.LocalRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./pushdeploy}'s run, invoke and the errors people meet, each in its own JVM as the launcher runs it. */
class CliIT {
    /** A build the local repository does not have yet (its tags are immutable): the event's push brings it. */
    static final String TAG = "v1.2.0";
    static final String DIGEST = "sha256:" + "c0ffee".repeat(10) + "abcd";

    @TempDir
    Path dir;

    private Path state;
    private CliProcess cli;

    @BeforeEach
    void isolatedState() throws IOException {
        state = Files.createDirectories(dir.resolve("state"));
        cli = new CliProcess(dir, Map.of("PUSHDEPLOY_STATE_DIR", state.toString()));
    }

    @Test
    void aGoodPushSucceedsWithOneLinePerStateAndASummaryAndDumps() throws Exception {
        Path event = write("push.json", LocalRuntime.ecrPushEvent("web", TAG, DIGEST).toString());
        Path dump = dir.resolve("dump");
        CliProcess.Result run = cli.run("run", "--event", event.toString(), "--dump", dump.toString());

        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.lines().stream().anyMatch(l -> l.matches("\\s+[0-9.]+s  (CheckDeployment|WaitForRollout)\\s+HEALTHY.*")), run.out());
        assertTrue(run.lines().stream().anyMatch(l -> l.matches("\\s+[0-9.]+s  Finalize\\s+SUCCEEDED.*")), run.out());
        JsonNode summary = run.summary();
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
        secrets.forEach(s -> assertFalse(run.out().contains(s) || run.err().contains(s), "a secret value in the CLI output"));
    }

    @Test
    void aCrashLoopingPushIsRolledBackWithExitCode3EvenWhenTheDumpCannotBeWritten() throws Exception {
        Path event = write("push.json", LocalRuntime.ecrPushEvent("web", TAG, DIGEST).toString());
        CliProcess.Result run = cli.run("run", "--event", event.toString(), "--scenario", "crash-loop", "--dump", "/proc/pushdeploy-dump");
        assertEquals(3, run.exit(), run.toString());
        assertEquals("ROLLED_BACK", run.summary().path("outcome").asText());
        assertEquals(run.summary().path("previousTaskDefinition").asText(), run.summary().path("taskDefinition").asText());
        assertTrue(run.err().contains("could not write the dump to /proc/pushdeploy-dump"), run.err());
        assertTrue(run.err().contains("the run itself ended ROLLED_BACK"), run.err());
    }

    @Test
    void anEventTheRuleDoesNotMatchStartsNothing() throws Exception {
        Path event = write("other.json", LocalRuntime.ecrPushEvent("api", TAG, DIGEST).toString());
        CliProcess.Result run = cli.run("run", "--event", event.toString());
        assertEquals(0, run.exit(), run.toString());
        assertEquals("NOT_MATCHED", run.summary().path("outcome").asText());
        assertEquals(0, run.summary().path("awsWrites").asInt());
        assertEquals(1, run.lines().size(), "no state ran");
    }

    @Test
    void invokeRunsOneFunctionLikeSamLocalInvoke() throws Exception {
        JsonNode push = LocalRuntime.ecrPushEvent("web", TAG, DIGEST);
        Path event = write("push.json", push.toString());
        CliProcess.Result run = cli.run("invoke", "PrepareFunction", "--event", event.toString());
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.err().contains("Prepare reads its input from the execution"), run.toString());
        JsonNode request = Json.tree(run.out());
        assertEquals("PROCEED", request.path("decision").asText());
        assertTrue(request.path("previousTaskDefinition").asText().matches(".*:task-definition/web:[0-9]+"), request.toString());
    }

    @Test
    void theSampleStepEventsFitTheStackTheyRunAgainst() throws Exception {
        Path events = dev.pushdeploy.local.TestRuntime.root().resolve("events");
        CliProcess.Result start = cli.run("invoke", "StartDeploymentFunction", "--event", events.resolve("start-deployment.json").toString());
        assertEquals(0, start.exit(), start.toString());
        JsonNode rollout = Json.tree(start.out());
        String registered = rollout.path("taskDefinition").asText().replaceAll(".*/", "");
        assertTrue(registered.matches("web:[0-9]+"), start.toString());
        assertTrue(start.err().contains("made the event's state on this stack first: Prepare → $.request, Lock → $.lock, "
                + "RotateSecrets → $.secrets, RegisterTaskDefinition → $.release"), start.toString());

        CliProcess.Result check = cli.run("invoke", "CheckDeployment", "--event", events.resolve("check-deployment.json").toString());
        assertEquals(0, check.exit(), check.toString());
        JsonNode verdict = Json.tree(check.out());
        assertTrue(verdict.path("reason").asText().contains(registered), "the revision the fitted events register: " + check);
        assertFalse(verdict.path("reason").asText().contains("web:6"), check.toString());
    }

    @Test
    void badArgumentsAreNamedBeforeAnythingStarts() throws Exception {
        Path good = write("good.json", "{\"action\": \"rotate\", \"service\": \"pushdeploy/web\"}");
        Path broken = write("broken.json", "{\n  \"action\": \"rotate\",\n  \"service\" \"pushdeploy/web\"\n}\n");
        List<String[]> cases = List.of(
                new String[] {"--event " + broken + ":3:", "run", "--event", broken.toString()},
                new String[] {"--event " + dir.resolve("missing.json") + ": no such file", "run", "--event", dir.resolve("missing.json").toString()},
                new String[] {"--scan-gate SEVERE is not a severity; one of INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL",
                    "run", "--event", good.toString(), "--scan-gate", "SEVERE"},
                new String[] {"unknown scenario 'flaky'", "run", "--event", good.toString(), "--scenario", "flaky"},
                new String[] {"'--event=FILE'", "run", "--scenario", "healthy"},
                new String[] {"FUNCTION Nope is not a function of template.yaml; one of: PrepareFunction", "invoke", "Nope", "--event", good.toString()},
                new String[] {"IMAGE 'web:latest!' is neither a tag", "deploy", "web:latest!"},
                new String[] {"-n 0 must be between 1 and 100", "history", "-n", "0"},
                new String[] {"--to 'web' must be previous, a task definition ARN or family:revision", "rollback", "--to", "web"},
                new String[] {"no local stack is running: start one with `pushdeploy local up`", "--local", "status"});
        for (String[] c : cases) {
            String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            CliProcess.Result run = cli.run(args);
            assertEquals(1, run.exit(), String.join(" ", args) + "\n" + run);
            assertTrue(run.err().contains(c[0]), String.join(" ", args) + "\n" + run);
            assertFalse(run.err().contains("starting moto"), "started before checking: " + run);
            assertFalse(run.err().contains("Exception"), run.toString());
        }
    }

    @Test
    void theDemoEndsWithWhatToTryNextAndEverySuggestionIsACommand() throws Exception {
        CliProcess.Result demo = cli.run("demo");
        assertEquals(0, demo.exit(), demo.toString());
        assertTrue(demo.out().contains("The good push went live; the bad one never did"), demo.toString());
        List<String> lines = demo.lines();
        int next = lines.indexOf("Try next:");
        assertTrue(next > 0, demo.out());
        List<String> suggestions = lines.subList(next + 1, lines.size()).stream().map(String::strip)
                .filter(l -> l.startsWith("./pushdeploy ")).toList();
        assertTrue(suggestions.size() >= 5, suggestions.toString());
        assertTrue(suggestions.stream().anyMatch(l -> l.startsWith("./pushdeploy local up")), suggestions.toString());
        for (String suggestion : suggestions) {
            String command = suggestion.replaceFirst("\\s+#.*$", "").substring("./pushdeploy ".length());
            picocli.CommandLine cli = new picocli.CommandLine(new Main(System.out, System.err, dev.pushdeploy.local.TestRuntime.root()));
            cli.parseArgs(command.split("\\s+"));
        }
    }

    @Test
    void aMissingEmulatorSaysHowToInstallIt() throws Exception {
        Path event = write("push.json", LocalRuntime.ecrPushEvent("web", TAG, DIGEST).toString());
        CliProcess.Result noPython = new CliProcess(dir, Map.of("PUSHDEPLOY_STATE_DIR", state.toString(),
                "PUSHDEPLOY_PYTHON", dir.resolve("no-such-python").toString())).run("run", "--event", event.toString());
        assertEquals(1, noPython.exit(), noPython.toString());
        assertTrue(noPython.err().contains("pip install 'moto[server]==5.2.1'"), noPython.toString());

        Path withoutMoto = write("python-without-moto", """
                #!/bin/sh
                echo "Traceback (most recent call last):" >&2
                echo "ModuleNotFoundError: No module named 'moto'" >&2
                exit 1
                """);
        Files.setPosixFilePermissions(withoutMoto, PosixFilePermissions.fromString("rwxr-xr-x"));
        CliProcess.Result noMoto = new CliProcess(dir, Map.of("PUSHDEPLOY_STATE_DIR", state.toString(),
                "PUSHDEPLOY_PYTHON", withoutMoto.toString())).run("run", "--event", event.toString());
        assertEquals(1, noMoto.exit(), noMoto.toString());
        assertTrue(noMoto.err().contains("has no moto, the AWS emulator the local runtime needs: pip install 'moto[server]==5.2.1'"),
                noMoto.toString());
        assertFalse(noMoto.err().contains("Traceback"), noMoto.toString());
    }

    @Test
    void ctrlCSaysWhatItStoppedAndLeavesNothingRunning() throws Exception {
        Path event = write("push.json", LocalRuntime.ecrPushEvent("web", TAG, DIGEST).toString());
        CliProcess.Started run = cli.start("run", "--event", event.toString(), "--scenario", "slow-start");
        List<ProcessHandle> children = awaitRecordedChildren(run);
        run.process().destroy();
        CliProcess.Result ended = run.await();
        assertTrue(ended.err().contains("pushdeploy: interrupted: stopping the local stack (moto, the local endpoint, PostgreSQL)"),
                ended.toString());
        assertTrue(ended.err().contains("stopped; nothing of this command is left running"), ended.toString());
        for (ProcessHandle child : children) {
            child.onExit().get(10, TimeUnit.SECONDS);
            assertFalse(child.isAlive(), "pid " + child.pid() + " still runs");
        }
        assertFalse(Files.exists(record(run)), "the process record is removed");
    }

    @Test
    void whatAKilledCommandLeftIsReapedByLocalDown() throws Exception {
        Path event = write("push.json", LocalRuntime.ecrPushEvent("web", TAG, DIGEST).toString());
        CliProcess.Started run = cli.start("run", "--event", event.toString(), "--scenario", "slow-start");
        List<ProcessHandle> children = awaitRecordedChildren(run);
        run.process().destroyForcibly();
        run.process().waitFor(30, TimeUnit.SECONDS);
        assertTrue(children.stream().allMatch(ProcessHandle::isAlive), "kill -9 left moto and PostgreSQL running");

        CliProcess.Result down = cli.run("local", "down");
        assertEquals(0, down.exit(), down.toString());
        for (ProcessHandle child : children) {
            assertTrue(down.out().contains("stopped pid " + child.pid()), down.toString());
            assertFalse(child.isAlive(), "pid " + child.pid() + " still runs");
        }
        assertTrue(down.out().contains("nothing is left running"), down.toString());
        assertFalse(Files.exists(record(run)));
    }

    /** Waits until the command's run started (its first state printed), then returns the moto and PostgreSQL it recorded. */
    private List<ProcessHandle> awaitRecordedChildren(CliProcess.Started run) throws Exception {
        long deadline = System.currentTimeMillis() + 240_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(record(run)) && Files.readString(run.out()).contains("Init")) {
                List<ProcessHandle> children = new ArrayList<>();
                for (JsonNode child : Json.tree(Files.readString(record(run))).path("children")) {
                    Optional<ProcessHandle> process = ProcessHandle.of(child.path("pid").asLong());
                    assertTrue(process.isPresent(), "recorded pid " + child + " runs");
                    children.add(process.get());
                }
                assertEquals(2, children.size(), "moto and PostgreSQL");
                return children;
            }
            assertTrue(run.process().isAlive(), run.err());
            Thread.sleep(200);
        }
        throw new AssertionError("the runtime did not start: " + run.err());
    }

    private Path record(CliProcess.Started run) {
        return state.resolve("processes").resolve(run.process().pid() + ".json");
    }

    /** The revision number of a task definition ARN. */
    private static int revision(String taskDefinition) {
        assertTrue(taskDefinition.matches(".*:task-definition/web:[0-9]+"), taskDefinition);
        return Integer.parseInt(taskDefinition.substring(taskDefinition.lastIndexOf(':') + 1));
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
