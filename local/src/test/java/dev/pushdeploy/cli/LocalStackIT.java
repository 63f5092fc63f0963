package dev.pushdeploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.ops.Connection;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * An operator's session on the local stack, command by command in separate JVMs, asserting on the
 * {@code --json} output and on the emulator's state: up, a push, status, a diff of another tag
 * (nothing written), deploy, rollback, history, rotate, pushes queued for the lock, a cancel (the queue and
 * the history put right from outside the run), down. status and rollback also run as against AWS
 * (credentials and region from the environment, {@code --stack}, the endpoint override): the same
 * code, the same answers.
 */
class LocalStackIT {
    @TempDir
    Path dir;

    @Test
    void anOperatorDrivesTheLocalStackFromUpToDown() throws Exception {
        CliProcess cli = cli();
        Path state = dir.resolve("state");
        onTheLocalStack(cli, List.of(), (up, daemon) -> {
            URI endpoint = URI.create(up.path("endpoint").asText());
            URI control = URI.create(up.path("control").asText());
            Connection aws = Connection.emulator(endpoint, "us-east-1", "local", "local");
            EcsClient ecs = aws.client(EcsClient.builder());
            int first = revision(live(ecs));
            CliProcess.Result again = cli.run("local", "up");
            assertEquals(0, again.exit(), again.toString());
            assertTrue(again.out().contains("the local stack is already up (pid " + daemon), again.toString());

            CliProcess.Result push = cli.run("--json", "local", "push", "v1.1.0");
            assertEquals(0, push.exit(), push.toString());
            assertEquals("SUCCEEDED", push.json().path("outcome").asText(), push.toString());
            assertTrue(push.json().path("taskDefinition").asText().endsWith("task-definition/web:" + (first + 1)), push.toString());
            assertEquals("web:" + (first + 1), live(ecs));

            CliProcess.Result status = cli.run("--local", "--json", "status");
            assertEquals(0, status.exit(), status.toString());
            JsonNode s = status.json();
            assertEquals("pushdeploy/web", s.path("service").asText());
            assertEquals("web:" + (first + 1), s.path("live").path("revision").asText());
            assertEquals("[\"v1.1.0\"]", s.path("live").path("tags").toString());
            assertEquals("ACTIVE", s.path("live").path("imageStatus").asText(), "the live image is ACTIVE in ECR: " + s);
            assertTrue(s.path("live").path("kept").asBoolean(), "the live image carries its keep tag (not listed among its tags): " + s);
            assertEquals(push.json().path("name").asText(), s.path("live").path("release").asText());
            assertEquals("b", slot(s, "APP_SIGNING_KEY"));
            assertEquals("b", slot(s, "DB_PASSWORD"));
            assertEquals(2, s.path("health").path("running").asInt());
            assertEquals(2, s.path("health").path("desired").asInt());
            assertEquals("COMPLETED", s.path("health").path("rolloutState").asText());
            assertFalse(s.hasNonNull("lock"), s.toString());
            assertEquals(0, s.path("running").size());
            assertEquals("SUCCEEDED", s.path("recent").get(0).path("outcome").asText());

            CliProcess.Result human = cli.run("--local", "status");
            assertEquals(0, human.exit(), human.toString());
            assertTrue(human.out().lines().anyMatch(l -> l.matches("\\s+live\\s+web:" + (first + 1) + " .*")), human.toString());
            assertFalse(human.out().contains("\u001b["), "no colour when stdout is not a terminal: " + human);

            CliProcess awsCli = new CliProcess(dir, Map.of("PUSHDEPLOY_STATE_DIR", state.toString(),
                    "AWS_ACCESS_KEY_ID", "local", "AWS_SECRET_ACCESS_KEY", "local", "AWS_REGION", "us-east-1"));
            CliProcess.Result viaAws = awsCli.run("--endpoint-url", endpoint.toString(), "--stack", "pushdeploy", "--json", "status");
            assertEquals(0, viaAws.exit(), viaAws.toString());
            assertEquals(s, viaAws.json(), "the AWS code path (default credential and region chains, endpoint override) sees the same");
            CliProcess.Result noStack = awsCli.run("--endpoint-url", endpoint.toString(), "--stack", "not-deployed", "status");
            assertEquals(1, noStack.exit(), noStack.toString());
            assertTrue(noStack.err().contains("CloudFormation has no stack not-deployed in us-east-1 (--stack NAME, or --region)"),
                    noStack.toString());

            List<String> writesBefore = writes(control);
            Map<String, Object> emulatorBefore = emulatorState(aws);
            CliProcess.Result diff = cli.run("--local", "--json", "diff", "v1.0.0");
            assertEquals(0, diff.exit(), diff.toString());
            JsonNode d = diff.json();
            assertEquals("PROCEED", d.path("decision").asText(), d.toString());
            assertEquals("web:" + (first + 1), d.path("live").asText());
            assertEquals("web:" + (first + 2), d.path("next").asText());
            Map<String, JsonNode> changes = new HashMap<>();
            d.path("changes").forEach(c -> changes.put(c.path("field").asText(), c));
            assertTrue(changes.get("image").path("next").asText().endsWith("@" + digestOf(aws, "v1.0.0")), d.toString());
            assertTrue(changes.get("secret APP_SIGNING_KEY").path("live").asText().endsWith("/app-signing-key/b"), d.toString());
            assertTrue(changes.get("secret APP_SIGNING_KEY").path("next").asText().endsWith("/app-signing-key/a"), d.toString());
            assertEquals("app_a", changes.get("environment DB_USER").path("next").asText(), d.toString());
            assertTrue(changes.containsKey("tag pushdeploy:image-digest"), d.toString());
            assertEquals(writesBefore, writes(control), "diff made no mutating call");
            assertEquals(emulatorBefore, emulatorState(aws), "diff changed nothing in the emulator");

            CliProcess.Result deploy = cli.run("--local", "--json", "deploy", "v1.0.0", "--reason", "back to the first build");
            assertEquals(0, deploy.exit(), deploy.toString());
            assertEquals("SUCCEEDED", deploy.json().path("outcome").asText(), deploy.toString());
            assertEquals("web:" + (first + 2), live(ecs));

            String account = ecs.describeServices(r -> r.cluster("pushdeploy").services("web")).services().get(0).serviceArn().split(":")[4];
            Map<String, Object> beforeElsewhere = emulatorState(aws);
            String otherRegion = "arn:aws:ecs:eu-west-1:" + account + ":task-definition/web:" + first;
            CliProcess.Result elsewhere = cli.run("--local", "rollback", "--to", otherRegion);
            assertEquals(1, elsewhere.exit(), elsewhere.toString());
            assertTrue(elsewhere.err().contains("--to " + otherRegion + " is in account " + account + ", region eu-west-1; the pipeline runs in"
                    + " account " + account + ", region us-east-1"), elsewhere.toString());
            String otherRegistry = account + ".dkr.ecr.eu-west-1.amazonaws.com/web:v1.0.0";
            CliProcess.Result pulledElsewhere = cli.run("--local", "deploy", otherRegistry);
            assertEquals(1, pulledElsewhere.exit(), pulledElsewhere.toString());
            assertTrue(pulledElsewhere.err().contains("IMAGE '" + otherRegistry + "' is in registry " + account
                    + ".dkr.ecr.eu-west-1.amazonaws.com; the pipeline deploys pushdeploy/web from its own"), pulledElsewhere.toString());
            assertEquals(beforeElsewhere, emulatorState(aws), "a target or image of elsewhere starts nothing");

            CliProcess.Result rollback = awsCli.run("--endpoint-url", endpoint.toString(), "--stack", "pushdeploy", "--json", "rollback");
            assertEquals(0, rollback.exit(), rollback.toString());
            assertEquals("SUCCEEDED", rollback.json().path("outcome").asText(), rollback.toString());
            assertEquals("web:" + (first + 1), live(ecs));

            CliProcess.Result history = cli.run("--local", "--json", "history", "-n", "5");
            assertEquals(0, history.exit(), history.toString());
            JsonNode h = history.json();
            assertEquals(3, h.size(), h.toString());
            assertEquals(List.of("rollback SUCCEEDED web:" + (first + 1) + " v1.1.0", "deploy SUCCEEDED web:" + (first + 2) + " v1.0.0",
                    "deploy SUCCEEDED web:" + (first + 1) + " v1.1.0"),
                    entries(h));
            assertEquals(rollback.json().path("name").asText(), h.get(0).path("execution").asText());
            h.forEach(e -> assertEquals("ROLLING COMPLETED", e.path("strategy").asText() + " " + e.path("stage").asText(),
                    "each record says how far its rollout got: " + e));
            assertTrue(h.get(0).path("seconds").asDouble() > 0, h.toString());
            assertEquals(3, ledgerHistory(aws), "the records are the table's");

            CliProcess.Result rotate = cli.run("--local", "--json", "rotate", "--reason", "scheduled");
            assertEquals(0, rotate.exit(), rotate.toString());
            assertEquals("SUCCEEDED", rotate.json().path("outcome").asText(), rotate.toString());
            assertEquals("web:" + (first + 3), live(ecs));
            CliProcess.Result rotated = cli.run("--local", "--json", "status");
            assertEquals(0, rotated.exit(), rotated.toString());
            assertEquals("a", slot(rotated.json(), "APP_SIGNING_KEY"), "the inactive slot of the revision rolled back to");
            assertEquals("a", slot(rotated.json(), "DB_PASSWORD"));
            assertEquals("[\"v1.1.0\"]", rotated.json().path("live").path("tags").toString(), "the same image");
            assertEquals("ROLLING", rotated.json().path("health").path("strategy").asText(), rotated.toString());
            assertEquals(List.of("rotate v1.1.0", "rollback v1.1.0", "deploy v1.0.0", "deploy v1.1.0"), recent(rotated.json()),
                    "status names the image of a run that named it by digest by its tag, as history does: " + rotated);

            racingPushes(cli, aws, control);
            cancel(cli, aws, control);
        });
        assertFalse(Files.exists(state.resolve("local.json")));
        assertTrue(Files.list(state.resolve("processes")).findAny().isEmpty(), "nothing recorded as running");
        CliProcess.Result after = cli.run("--local", "status");
        assertEquals(1, after.exit(), after.toString());
        assertTrue(after.err().contains("no local stack is running"), after.toString());
    }

    @Test
    void withNoReleaseTheFirstPushIsTheFirstRelease() throws Exception {
        CliProcess cli = cli();
        onTheLocalStack(cli, List.of("--no-release"), (up, daemon) -> {
            Connection aws = Connection.emulator(URI.create(up.path("endpoint").asText()), "us-east-1", "local", "local");
            SsmClient ssm = aws.client(SsmClient.builder());
            CliProcess.Result before = cli.run("--local", "--json", "status");
            assertEquals(0, before.exit(), before.toString());
            assertFalse(before.json().path("live").path("released").asBoolean(true), before.toString());
            assertEquals(0, before.json().path("health").path("desired").asInt(-1), before.toString());
            assertEquals("none", ssm.getParameter(r -> r.name("/pushdeploy/release/pushdeploy/web/image")).parameter().value(),
                    "the stack created its release parameters");

            CliProcess.Result push = cli.run("--json", "local", "push", "v1.2.0");
            assertEquals(0, push.exit(), push.toString());
            assertEquals("SUCCEEDED", push.json().path("outcome").asText(), push.toString());

            CliProcess.Result after = cli.run("--local", "--json", "status");
            assertEquals(0, after.exit(), after.toString());
            JsonNode live = after.json().path("live");
            assertTrue(live.path("released").asBoolean(), after.toString());
            assertEquals("[\"v1.2.0\"]", live.path("tags").toString());
            assertEquals("a", slot(after.json(), "APP_SIGNING_KEY"), "the first release writes slot a");
            assertEquals(2, after.json().path("health").path("running").asInt(), after.toString());
            assertEquals(live.path("image").asText(),
                    ssm.getParameter(r -> r.name("/pushdeploy/release/pushdeploy/web/image")).parameter().value());
            CliProcess.Result history = cli.run("--local", "--json", "history");
            assertEquals(List.of("deploy SUCCEEDED " + live.path("revision").asText() + " v1.2.0"), entries(history.json()),
                    history.toString());
        });
    }

    /**
     * {@code local up --scan-gate CRITICAL --scan-seconds 90}: a push of a new image waits for its scan with a task
     * token, and ECR's scan event (the local simulator's, 90 simulated seconds after the push) answers the wait; the
     * scan's one HIGH passes the CRITICAL gate. So does a multi-platform push ({@code --multi-platform}), an OCI index
     * ECR does not scan, by its platform images' scans. An unknown severity is refused before anything starts.
     */
    @Test
    void withTheScanGateAPushWaitsForItsScansEvent() throws Exception {
        CliProcess cli = cli();
        CliProcess.Result refused = cli.run("local", "up", "--scan-gate", "SEVERE");
        assertEquals(1, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("--scan-gate SEVERE is not a severity"), refused.toString());
        assertFalse(Files.exists(dir.resolve("state").resolve("local.json")), "nothing started");

        onTheLocalStack(cli, List.of("--scan-gate", "critical", "--scan-seconds", "90"), (up, daemon) -> {
            SfnClient sfn = Connection.emulator(URI.create(up.path("endpoint").asText()), "us-east-1", "local", "local")
                    .client(SfnClient.builder());
            EcrClient ecr = Connection.emulator(URI.create(up.path("endpoint").asText()), "us-east-1", "local", "local")
                    .client(EcrClient.builder());
            for (String tag : List.of("v1.3.0", "v1.4.0")) {
                boolean multiPlatform = tag.equals("v1.4.0");
                List<String> push = new ArrayList<>(List.of("--json", "local", "push", tag, "--no-wait"));
                if (multiPlatform) {
                    push.add("--multi-platform");
                }
                CliProcess.Result pushed = cli.run(push.toArray(String[]::new));
                assertEquals(0, pushed.exit(), pushed.toString());
                CliProcess.Result followed = cli.run("--local", "--json", "follow", pushed.json().path("name").asText());
                assertEquals("SUCCEEDED", followed.json().path("outcome").asText(), followed.toString());
                assertScanWaited(sfn, pushed.json().path("execution").asText());
                String mediaType = ecr.describeImages(r -> r.repositoryName("web")
                        .imageIds(i -> i.imageTag(tag))).imageDetails().get(0).imageManifestMediaType();
                assertEquals(multiPlatform ? "application/vnd.oci.image.index.v1+json" : "application/vnd.docker.distribution.manifest.v2+json",
                        mediaType, tag);
            }
        });
    }

    /**
     * {@code local up --second-service api}: the template's second service beside web, so that releases run on the local
     * stack as on AWS. The sample manifest goes live together. A manifest whose api image crash-loops (pushed with its
     * fate under a tag the pipeline does not deploy: that push's run is IGNORED) ends ROLLED_BACK with web taken back. A
     * name the template refuses, or the first service's, is refused before anything starts.
     */
    @Test
    void withASecondServiceReleasesRun() throws Exception {
        CliProcess cli = cli();
        Map<String, String> refusals = Map.of("Api", "--second-service 'Api' is not a service name",
                "web", "--second-service web is the first service's name (AppName)");
        for (Map.Entry<String, String> refusal : refusals.entrySet()) {
            CliProcess.Result refused = cli.run("local", "up", "--second-service", refusal.getKey());
            assertEquals(1, refused.exit(), refused.toString());
            assertTrue(refused.err().contains(refusal.getValue()), refused.toString());
        }
        assertFalse(Files.exists(dir.resolve("state").resolve("local.json")), "nothing started");

        onTheLocalStack(cli, List.of("--second-service", "api"), (up, daemon) -> {
            CliProcess.Result together = cli.run("--local", "--json", "release", "--name", "shop-1",
                    TestRuntime.root().resolve("events").resolve("manual-release.json").toString());
            assertEquals(0, together.exit(), together.toString());
            assertEquals("SUCCEEDED", together.json().path("outcome").asText(), together.toString());
            assertEquals(List.of("LIVE", "LIVE"), states(together.json()), together.toString());

            CliProcess.Result pushed = cli.run("--json", "--service", "pushdeploy/api", "local", "push", "rc-1", "--fate", "crash-loop");
            assertEquals(0, pushed.exit(), pushed.toString());
            assertEquals("IGNORED", pushed.json().path("outcome").asText(), "a tag the pipeline does not deploy: " + pushed);
            Path manifest = Files.writeString(dir.resolve("shop-2.json"), """
                    {"services": [{"service": "pushdeploy/web", "image": "web:v1.0.0"}, {"service": "pushdeploy/api", "image": "api:rc-1"}],
                     "reason": "a back end that does not start"}""");
            CliProcess.Result back = cli.run("--local", "--json", "release", "--name", "shop-2", manifest.toString());
            assertEquals(3, back.exit(), back.toString());
            assertEquals("ROLLED_BACK", back.json().path("outcome").asText(), back.toString());
            assertEquals(List.of("ROLLED_BACK", "BACK"), states(back.json()), back.toString());

            CliProcess.Result web = cli.run("--local", "--json", "--service", "pushdeploy/web", "status");
            assertEquals(0, web.exit(), web.toString());
            assertEquals("[\"v1.1.0\"]", web.json().path("live").path("tags").toString(), "web is back on the first release's image");
        });
    }

    /** Each service's state in a release's summary, in the manifest's order. */
    private static List<String> states(JsonNode release) {
        List<String> states = new ArrayList<>();
        release.path("services").forEach(s -> states.add(s.path("state").asText()));
        return states;
    }

    /** The run waited for its image's scan, and ECR's scan event (90 simulated seconds on) answered it. */
    private static void assertScanWaited(SfnClient sfn, String execution) {
        List<String> gate = new ArrayList<>();
        double waitedFrom = -1;
        double answeredAt = -1;
        for (var event : sfn.getExecutionHistory(r -> r.executionArn(execution).maxResults(1000)).events()) {
            String entered = event.stateEnteredEventDetails() == null ? "" : event.stateEnteredEventDetails().name();
            if (List.of("ScanGate", "ScanDecision", "WaitForScan").contains(entered)) {
                gate.add(entered);
                waitedFrom = entered.equals("WaitForScan") ? event.timestamp().toEpochMilli() / 1000.0 : waitedFrom;
            }
            if (event.stateExitedEventDetails() != null && event.stateExitedEventDetails().name().equals("WaitForScan")) {
                answeredAt = event.timestamp().toEpochMilli() / 1000.0;
            }
        }
        assertEquals(List.of("ScanGate", "ScanDecision", "WaitForScan", "ScanDecision"), gate, execution);
        assertTrue(answeredAt - waitedFrom > 80 && answeredAt - waitedFrom < 95,
                "answered by the scan's event, " + (answeredAt - waitedFrom) + " s after the wait began");
    }

    /** What a test does on the local stack: {@code up} is {@code local up --json}'s answer, {@code daemon} its pid. */
    private interface OnTheStack {
        void run(JsonNode up, long daemon) throws Exception;
    }

    /** An operator's CLI whose state directory is the test's. */
    private CliProcess cli() throws IOException {
        Path state = Files.createDirectories(dir.resolve("state"));
        return new CliProcess(dir, Map.of("PUSHDEPLOY_STATE_DIR", state.toString()));
    }

    /**
     * {@code local up} with {@code options}, the test's part, then {@code local down} whatever that part did: down names
     * the daemon it stopped, and the daemon is gone.
     */
    private static void onTheLocalStack(CliProcess cli, List<String> options, OnTheStack test) throws Exception {
        List<String> up = new ArrayList<>(List.of("--json", "local", "up"));
        up.addAll(options);
        CliProcess.Result started = cli.run(up.toArray(String[]::new));
        assertEquals(0, started.exit(), started.toString());
        long daemon = started.json().path("pid").asLong();
        try {
            test.run(started.json(), daemon);
        } finally {
            CliProcess.Result down = cli.run("--json", "local", "down");
            assertEquals(0, down.exit(), down.toString());
            assertTrue(down.json().path("stopped").get(0).asText().contains("pid " + daemon), down.toString());
        }
        assertFalse(ProcessHandle.of(daemon).map(ProcessHandle::isAlive).orElse(false), "the daemon stopped");
    }

    /**
     * Three pushes queue behind a lock the test holds; once the newest has queued, the lock is let go: the newest
     * deploys and the two older end SUPERSEDED. The first goes through {@code local push --no-wait}; the later two
     * straight to the stack's control endpoint (what that command does, without a JVM start each). The test holds
     * the lock rather than a slow rollout, since simulated time would let such a rollout end between two pushes.
     */
    private void racingPushes(CliProcess cli, Connection aws, URI control) throws Exception {
        DynamoDbClient dynamo = aws.client(DynamoDbClient.builder());
        String table = dynamo.listTables().tableNames().get(0);
        Map<String, AttributeValue> lock = holdLock(dynamo, table);
        // time at the wall clock's pace while the pushes queue: skipped, the oldest's waits for its turn (900 s each)
        // ran out its whole wait for the lock (9,000 s) in the seconds between two pushes
        assertEquals(300, control(control, "/time/hold", Json.object().put("seconds", 300)).path("heldSeconds").asLong());
        CliProcess.Result oldest;
        JsonNode second;
        JsonNode newest;
        try {
            oldest = cli.run("--json", "local", "push", "v1.4.0", "--no-wait");
            assertEquals(0, oldest.exit(), oldest.toString());
            awaitWaiter(dynamo, table, oldest.json().path("name").asText());
            Thread.sleep(1100);
            second = push(control, "v1.5.0", null);
            awaitWaiter(dynamo, table, nameOf(second));
            Thread.sleep(1100);
            newest = push(control, "v1.6.0", null);
            awaitWaiter(dynamo, table, nameOf(newest));
            dynamo.deleteItem(r -> r.tableName(table).key(Map.of("pk", lock.get("pk"), "sk", lock.get("sk"))));
        } finally {
            assertTrue(control(control, "/time/release", Json.object()).path("released").asBoolean());
        }

        CliProcess.Result first = cli.run("--local", "--json", "follow", oldest.json().path("name").asText());
        CliProcess.Result superseded = cli.run("--local", "--json", "follow", nameOf(second));
        CliProcess.Result won = cli.run("--local", "--json", "follow", nameOf(newest));
        assertEquals("SUPERSEDED", first.json().path("outcome").asText(), first.toString());
        assertEquals(5, first.exit());
        assertEquals("SUPERSEDED", superseded.json().path("outcome").asText(), superseded.toString());
        assertEquals(5, superseded.exit());
        assertEquals("SUCCEEDED", won.json().path("outcome").asText(), won.toString());
        assertEquals(0, won.exit());
    }

    /** A lock item no run of this stack holds, placed an hour ago (so it supersedes nothing) and good for ten years. */
    private static Map<String, AttributeValue> holdLock(DynamoDbClient dynamo, String table) {
        long now = System.currentTimeMillis();
        long anHourAgo = now - 3_600_000;
        long inTenYears = now / 1000 + 10L * 365 * 24 * 3600;
        Map<String, AttributeValue> lock = Map.of("pk", AttributeValue.fromS("svc#pushdeploy/web"), "sk", AttributeValue.fromS("lock"),
                "holder", AttributeValue.fromS("held-elsewhere"), "action", AttributeValue.fromS("DEPLOY"),
                "orderAt", AttributeValue.fromN(Long.toString(anHourAgo)), "acquiredAt", AttributeValue.fromN(Long.toString(anHourAgo)),
                "expiresAt", AttributeValue.fromN(Long.toString(inTenYears)));
        dynamo.putItem(r -> r.tableName(table).item(lock));
        return lock;
    }

    private static String nameOf(JsonNode pushed) {
        String execution = pushed.path("execution").asText();
        return execution.substring(execution.lastIndexOf(':') + 1);
    }

    /**
     * A run queued behind a lock an older request keeps is cancelled: it ends ABORTED, follow says so with exit code 1,
     * and the record tells the operator's reason (StopExecution's cause).
     */
    private void cancel(CliProcess cli, Connection aws, URI control) throws Exception {
        // time at the wall clock's pace while the run waits: skipped, its lock wait would run out between the commands
        assertEquals(300, control(control, "/time/hold", Json.object().put("seconds", 300)).path("heldSeconds").asLong());
        try {
            cancelQueued(cli, aws, control);
        } finally {
            assertTrue(control(control, "/time/release", Json.object()).path("released").asBoolean());
        }
    }

    private void cancelQueued(CliProcess cli, Connection aws, URI control) throws Exception {
        DynamoDbClient dynamo = aws.client(DynamoDbClient.builder());
        String table = dynamo.listTables().tableNames().get(0);
        Map<String, AttributeValue> lock = holdLock(dynamo, table);
        JsonNode pushed = push(control, "v1.7.0", null);
        String execution = pushed.path("execution").asText();
        String name = nameOf(pushed);
        awaitWaiter(dynamo, table, name);

        CliProcess.Result queued = cli.run("--local", "--json", "status");
        assertEquals(0, queued.exit(), queued.toString());
        JsonNode q = queued.json();
        assertEquals("held-elsewhere", q.path("lock").path("request").asText(), q.toString());
        assertEquals(List.of(name), names(q.path("queue"), "request"), q.toString());
        assertEquals(List.of(name), names(q.path("running"), "name"), q.toString());
        assertTrue(q.path("running").get(0).path("seconds").asDouble() >= 0, q.toString());
        assertTrue(List.of("Prepare", "Decide", "Lock", "LockDecision", "WaitForLock").contains(q.path("running").get(0).path("state").asText()),
                "the state it is in: " + q);

        CliProcess.Started following = cli.start("--local", "follow", name);
        long deadline = System.currentTimeMillis() + 60_000;
        while (!following.err().contains("following " + name) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        following.process().destroy();
        CliProcess.Result interrupted = following.await();
        assertTrue(interrupted.err().contains("stopped following " + name + "; the run goes on"), interrupted.toString());
        assertEquals("RUNNING", aws.client(software.amazon.awssdk.services.sfn.SfnClient.builder())
                .describeExecution(r -> r.executionArn(execution)).statusAsString(), "Ctrl-C on follow leaves the run alone");

        CliProcess.Result cancel = cli.run("--local", "--json", "cancel", "--reason", "the wrong tag");
        assertEquals(0, cancel.exit(), cancel.toString());
        assertEquals("ABORTED", cancel.json().path("status").asText());
        assertEquals(name, cancel.json().path("name").asText(), "without a name: the one run in flight");
        CliProcess.Result follow = cli.run("--local", "--json", "follow", name);
        assertEquals(1, follow.exit(), follow.toString());
        assertEquals("ABORTED", follow.json().path("status").asText(), follow.toString());
        CliProcess.Result again = cli.run("--local", "cancel", name);
        assertEquals(1, again.exit(), again.toString());
        assertTrue(again.err().contains(name + " is not running (ABORTED)"), again.toString());

        awaitNoWaiter(dynamo, table, name, dir.resolve("state").resolve("functions.log"));
        CliProcess.Result history = cli.run("--local", "--json", "history", "-n", "1");
        assertEquals(0, history.exit(), history.toString());
        assertEquals(name, history.json().get(0).path("execution").asText(), "the reconciler recorded the cancelled run: " + history);
        assertEquals("ABORTED", history.json().get(0).path("outcome").asText(), history.toString());
        assertTrue(history.json().get(0).path("reason").asText().startsWith(
                "the execution was stopped (cancelled with pushdeploy cancel: the wrong tag) in state "), "the operator's reason: " + history);
        CliProcess.Result status = cli.run("--local", "--json", "status");
        assertEquals(0, status.exit(), status.toString());
        assertEquals(0, status.json().path("queue").size(), "no longer queued: " + status);
        dynamo.deleteItem(r -> r.tableName(table).key(Map.of("pk", lock.get("pk"), "sk", lock.get("sk"))));
    }

    private static void awaitWaiter(DynamoDbClient dynamo, String table, String requestId) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            Map<String, AttributeValue> waiter = dynamo.getItem(r -> r.tableName(table).consistentRead(true)
                    .key(Map.of("pk", AttributeValue.fromS("svc#pushdeploy/web"), "sk", AttributeValue.fromS("wait#" + requestId)))).item();
            if (waiter != null && !waiter.isEmpty()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(requestId + " did not queue for the lock within 120 s");
    }

    private static List<String> names(JsonNode items, String field) {
        List<String> names = new ArrayList<>();
        items.forEach(i -> names.add(i.path(field).asText()));
        return names;
    }

    /** Fails naming what the functions and the event bus logged of the request (the reconciler's turn, the lock step's). */
    private static void awaitNoWaiter(DynamoDbClient dynamo, String table, String requestId, Path functionsLog)
            throws InterruptedException, IOException {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            Map<String, AttributeValue> waiter = dynamo.getItem(r -> r.tableName(table).consistentRead(true)
                    .key(Map.of("pk", AttributeValue.fromS("svc#pushdeploy/web"), "sk", AttributeValue.fromS("wait#" + requestId)))).item();
            if (waiter == null || waiter.isEmpty()) {
                return;
            }
            Thread.sleep(200);
        }
        List<String> seen = !Files.exists(functionsLog) ? List.of("(no " + functionsLog + ")") : Files.readAllLines(functionsLog).stream()
                .filter(line -> line.contains(requestId) || line.startsWith("event bus")).toList();
        throw new AssertionError(requestId + " still queued 120 s after it was cancelled; logged:\n"
                + String.join("\n", seen.subList(Math.max(0, seen.size() - 40), seen.size())));
    }

    private static JsonNode control(URI control, String route, JsonNode body) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(control.resolve(route))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return Json.tree(response.body());
    }

    private static JsonNode push(URI control, String tag, String fate) throws IOException, InterruptedException {
        var body = Json.object().put("repository", "web").put("tag", tag);
        if (fate != null) {
            body.put("fate", fate);
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(control.resolve("/push"))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        JsonNode answer = Json.tree(response.body());
        assertTrue(answer.path("matched").asBoolean(), answer.toString());
        return answer;
    }

    /** The revision number of {@code web:N}. */
    private static int revision(String familyAndRevision) {
        return Integer.parseInt(familyAndRevision.substring(familyAndRevision.indexOf(':') + 1));
    }

    private static String live(EcsClient ecs) {
        String arn = ecs.describeServices(r -> r.cluster("pushdeploy").services("web")).services().get(0).taskDefinition();
        return arn.substring(arn.lastIndexOf('/') + 1);
    }

    private static String slot(JsonNode status, String secret) {
        for (JsonNode s : status.path("live").path("secrets")) {
            if (s.path("name").asText().equals(secret)) {
                return s.path("slot").asText();
            }
        }
        throw new AssertionError("no secret " + secret + " in " + status);
    }

    private static String digestOf(Connection aws, String tag) {
        return aws.client(EcrClient.builder()).describeImages(r -> r.repositoryName("web").imageIds(i -> i.imageTag(tag)))
                .imageDetails().get(0).imageDigest();
    }

    private static List<String> recent(JsonNode status) {
        List<String> lines = new ArrayList<>();
        status.path("recent").forEach(e -> lines.add(e.path("action").asText() + " " + e.path("tag").asText()));
        return lines;
    }

    private static List<String> entries(JsonNode history) {
        List<String> lines = new ArrayList<>();
        history.forEach(e -> lines.add(e.path("action").asText() + " " + e.path("outcome").asText() + " " + e.path("revision").asText()
                + " " + e.path("tag").asText()));
        return lines;
    }

    private static List<String> writes(URI control) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(control.resolve("/writes")).build(),
                HttpResponse.BodyHandlers.ofString());
        List<String> writes = new ArrayList<>();
        Json.tree(response.body()).path("writes").forEach(w -> writes.add(w.asText()));
        return writes;
    }

    /** What a write would change: task definitions, parameters with their versions, the table's items. */
    private static Map<String, Object> emulatorState(Connection aws) {
        Map<String, Object> state = new HashMap<>();
        EcsClient ecs = aws.client(EcsClient.builder());
        state.put("taskDefinitions", ecs.listTaskDefinitions(r -> r.status(TaskDefinitionStatus.ACTIVE)).taskDefinitionArns());
        state.put("service", ecs.describeServices(r -> r.cluster("pushdeploy").services("web")).services().get(0).taskDefinition());
        SsmClient ssm = aws.client(SsmClient.builder());
        List<String> parameters = new ArrayList<>();
        ssm.getParametersByPathPaginator(r -> r.path("/").recursive(true)).forEach(page ->
                page.parameters().forEach(p -> parameters.add(p.name() + "@" + p.version())));
        parameters.sort(null);
        state.put("parameters", parameters);
        DynamoDbClient dynamo = aws.client(DynamoDbClient.builder());
        String table = dynamo.listTables().tableNames().get(0);
        state.put("items", dynamo.scanPaginator(r -> r.tableName(table)).items().stream().map(Map::toString).sorted()
                .collect(Collectors.toList()));
        return state;
    }

    private static int ledgerHistory(Connection aws) {
        DynamoDbClient dynamo = aws.client(DynamoDbClient.builder());
        String table = dynamo.listTables().tableNames().get(0);
        return (int) dynamo.scanPaginator(r -> r.tableName(table)).items().stream()
                .filter(i -> i.getOrDefault("sk", AttributeValue.fromS("")).s().startsWith("hist#")).count();
    }
}
