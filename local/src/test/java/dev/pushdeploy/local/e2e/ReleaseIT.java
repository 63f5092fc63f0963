package dev.pushdeploy.local.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.bootstrap.Bootstrap;
import dev.pushdeploy.local.bootstrap.StackOutputs;
import dev.pushdeploy.cli.CliProcess;
import dev.pushdeploy.local.aws.Clients;
import dev.pushdeploy.local.daemon.LocalDaemon;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.endpoint.CallHold;
import dev.pushdeploy.local.endpoint.ExecutionScope;
import dev.pushdeploy.local.stack.PipelineTemplate;
import dev.pushdeploy.ops.CloudFormation;
import dev.pushdeploy.ops.Connection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.ssm.SsmClient;
import java.util.Map;
import java.time.Duration;
import dev.pushdeploy.local.lambda.LambdaRuntime;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import dev.pushdeploy.request.ReleasePlanner;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * Releases on the local stack with two services (web and api behind one ALB), through the real
 * release and deployment state machines: both go live together, or both end on the revision
 * (image and secret slots) that was live before.
 */
class ReleaseIT {
    static final Map<String, String> TWO_SERVICES = dev.pushdeploy.testing.SampleStack.secondService("api");
    static final String MANIFEST = """
            {"services": [{"service": "pushdeploy/web", "image": "web:v1.1.0"},
                          {"service": "pushdeploy/api", "image": "api:v1.1.0"}],
             "reason": "front end and back end together"}""";

    /** How long a test waits for requests to queue for web's lock (the wall clock's pace held). */
    private static final Duration WAITERS = Duration.ofSeconds(30);

    LocalRuntime runtime;
    StackOutputs.Service web;
    StackOutputs.Service api;
    DynamoDbClient dynamo;
    EcsClient ecs;

    /** The name of the release's deployment of {@code service}, as the release's plan names it. */
    private static String deploymentOf(String release, StackOutputs.Service service) {
        return ReleasePlanner.executionName(release, service.target().cluster(), service.target().service());
    }

    /** The name of the release's rollback of {@code service}. */
    private static String rollbackOf(String release, StackOutputs.Service service) {
        return deploymentOf(release, service) + "-rollback";
    }

    @BeforeEach
    void twoServices() {
        use(TestRuntime.fresh(TWO_SERVICES));
    }

    private void use(LocalRuntime fresh) {
        runtime = fresh;
        assertEquals(2, runtime.stack().services().size());
        web = runtime.stack().services().get(0);
        api = runtime.stack().services().get(1);
        assertEquals("pushdeploy/api", api.target().serviceKey());
        dynamo = runtime.clients().build(DynamoDbClient.builder());
        ecs = runtime.clients().build(EcsClient.builder());
        runtime.notifications();
    }

    /**
     * Release "a" of service api-web and release "a-api" of service web would both name their deployment "a-api-web", and
     * Step Functions refuses a name it has seen in the last 90 days, so the second release failed to deploy anything: each
     * name now carries its release's and service's hash, and both releases go live.
     */
    @Test
    void releasesWhoseNamesAndServicesCrossEachGoLive() {
        runtime = TestRuntime.fresh(dev.pushdeploy.testing.SampleStack.secondService("api-web"));
        StackOutputs.Service crossing = runtime.stack().services().get(1);
        web = runtime.stack().services().get(0);
        assertEquals("pushdeploy/api-web", crossing.target().serviceKey());

        List<String> outcomes = new java.util.ArrayList<>();
        for (var release : List.of(Map.entry("a", crossing), Map.entry("a-api", web))) {
            StackOutputs.Service service = release.getValue();
            JsonNode d = runtime.release(release.getKey(), "{\"services\": [{\"service\": \"" + service.target().serviceKey()
                    + "\", \"image\": \"" + service.target().repository() + ":" + Bootstrap.NEXT_TAG + "\"}]}", Scenario.HEALTHY).description();
            outcomes.add(d.path("status").asText() + " " + d.path("error").asText() + " " + d.path("cause").asText());
        }

        assertEquals(List.of("SUCCEEDED  ", "SUCCEEDED  "), outcomes);
        assertNotEquals(deploymentOf("a", crossing), deploymentOf("a-api", web));
        for (StackOutputs.Service service : List.of(crossing, web)) {
            assertEquals(service.repositoryUri() + "@" + digest(service, Bootstrap.NEXT_TAG), image(live(service), service));
            assertEquals(List.of("SUCCEEDED"), outcomes(service), "one history record per service");
        }
    }

    /** Through the operator's CLI as against AWS: the stack's outputs from CloudFormation, the endpoint overridden. */
    @Test
    void whenBothAreHealthyBothGoLive(@TempDir Path dir) throws Exception {
        runtime.simulator().scenario(Scenario.HEALTHY);
        Path manifest = Files.writeString(dir.resolve("shop-1.json"), MANIFEST);

        CliProcess.Result released = cli(dir).run("--json", "release", "--name", "shop-1", manifest.toString());

        assertEquals(0, released.exit(), released.toString());
        JsonNode output = released.json();
        assertEquals("SUCCEEDED", output.path("status").asText(), output.toString());
        assertEquals("SUCCEEDED", output.path("outcome").asText());
        for (StackOutputs.Service service : List.of(web, api)) {
            String live = live(service);
            assertNotEquals(service.initialTaskDefinition(), live);
            assertEquals(service.repositoryUri() + "@" + digest(service, Bootstrap.NEXT_TAG), image(live, service));
            assertEquals(List.of("SUCCEEDED"), outcomes(service), "one history record per service");
            assertTrue(lockFree(service));
            JsonNode result = result(output, service);
            assertEquals("LIVE", result.path("state").asText());
            assertEquals("SUCCEEDED", result.path("deployment").asText());
        }
        Map<String, AttributeValue> record = releaseRecord("shop-1");
        assertEquals("SUCCEEDED", record.get("outcome").s());
        assertEquals("release shop-1: front end and back end together", record.get("reason").s());
        assertEquals(2, Json.tree(record.get("services").s()).size());
        assertEquals(List.of("SUCCEEDED", "SUCCEEDED", "SUCCEEDED"), sorted(notifiedOutcomes()), "each service's and the release's");
    }

    /** The operator's CLI against the runtime as against AWS: the stack's outputs from CloudFormation, the endpoint overridden. */
    private CliProcess cli(Path dir) {
        new CloudFormation(Connection.emulator(runtime.endpoint(), Clients.REGION, "local", "local"))
                .createStack(PipelineTemplate.STACK_NAME, LocalDaemon.template(runtime.stack()));
        return new CliProcess(dir, Map.of("AWS_ACCESS_KEY_ID", "local", "AWS_SECRET_ACCESS_KEY", "local", "AWS_REGION", Clients.REGION),
                "--endpoint-url", runtime.endpoint().toString(), "--stack", PipelineTemplate.STACK_NAME);
    }

    /**
     * An operator starts a release without waiting, then follows and cancels it by its name, as a run's: web went live,
     * api's deployment was still moving its service. Followed after the stop, the release shows the reconciler's record, each
     * service as far as it has got since: web ROLLING_BACK while its rollback runs (and how to follow that), then
     * ROLLED_BACK. A run's name still names the run.
     */
    @Test
    void aReleaseIsFollowedAndCancelledByItsName(@TempDir Path dir) throws Exception {
        Path manifest = Files.writeString(dir.resolve("shop-5.json"), MANIFEST);
        CliProcess cli = cli(dir);
        CallHold apiMove = runtime.holdCall(r -> deploymentOf("shop-5", api).equals(r.header(ExecutionScope.HEADER)) && r.operation().equals("UpdateService"));
        CallHold webBack = runtime.holdCall(r -> rollbackOf("shop-5", web).equals(r.header(ExecutionScope.HEADER))
                && r.operation().equals("UpdateService"));

        CliProcess.Result started = cli.run("release", "--no-wait", "--name", "shop-5", manifest.toString());
        assertEquals(0, started.exit(), started.toString());
        assertTrue(started.out().contains("follow it:  pushdeploy follow shop-5"), started.toString());
        assertTrue(apiMove.awaitArrival(Duration.ofMinutes(2)), "api's StartDeployment sent UpdateService");
        assertEquals("SUCCEEDED", runtime.accounting(runtime.executionArn(deploymentOf("shop-5", web)), Duration.ofMinutes(2)).orElseThrow(
                () -> new AssertionError("web's deployment did not end")).status());

        CliProcess.Result cancelled = cli.run("cancel", "shop-5", "--reason", "the wrong images");
        assertEquals(0, cancelled.exit(), cancelled.toString());
        assertTrue(cancelled.out().contains("cancelled shop-5 (it ends ABORTED with the deployments it runs"), cancelled.toString());
        String release = runtime.stack().releaseStateMachineArn().replace(":stateMachine:", ":execution:") + ":shop-5";
        accounted(release);
        apiMove.release();
        assertTrue(webBack.awaitArrival(Duration.ofMinutes(2)), "web's rollback sent UpdateService");

        CliProcess.Result rollingBack = cli.run("follow", "shop-5");
        assertEquals(1, rollingBack.exit(), rollingBack.toString());
        assertTrue(rollingBack.out().contains("→ release ABORTED: the release was stopped (cancelled with pushdeploy cancel: the wrong images)"),
                rollingBack.toString());
        assertTrue(rollingBack.out().contains("  pushdeploy/web: ROLLING_BACK (deployment SUCCEEDED, rollback STARTED); follow its rollback:"
                + " pushdeploy follow " + rollbackOf("shop-5", web)), rollingBack.toString());
        assertTrue(rollingBack.out().contains("  pushdeploy/api: UNVERIFIED (deployment ABORTED)"), rollingBack.toString());

        webBack.release();
        assertEquals("SUCCEEDED", runtime.accounting(runtime.executionArn(rollbackOf("shop-5", web)), Duration.ofMinutes(3))
                .orElseThrow(() -> new AssertionError("web's rollback did not end")).status());
        CliProcess.Result back = cli.run("--json", "follow", "shop-5");
        assertEquals(1, back.exit(), back.toString());
        JsonNode summary = back.json();
        assertEquals(List.of("ABORTED", "ABORTED", release), List.of(summary.path("status").asText(), summary.path("outcome").asText(),
                summary.path("execution").asText()), summary.toString());
        JsonNode webEnd = result(summary, web);
        assertEquals(List.of("ROLLED_BACK", "SUCCEEDED", "SUCCEEDED", rollbackOf("shop-5", web)), List.of(webEnd.path("state").asText(),
                webEnd.path("deployment").asText(), webEnd.path("rollback").asText(), webEnd.path("rollbackExecution").asText()), webEnd.toString());
        assertEquals(web.initialTaskDefinition(), live(web));
        assertEquals("ROLLING_BACK", result(Json.tree("{\"services\":" + releaseRecord("shop-5").get("services").s() + "}"), web)
                .path("state").asText(), "the record stands as the reconciler wrote it");

        CliProcess.Result run = cli.run("--json", "follow", deploymentOf("shop-5", web));
        assertEquals(0, run.exit(), run.toString());
        assertEquals(runtime.executionArn(deploymentOf("shop-5", web)), run.json().path("execution").asText(), run.toString());

        String sameName = runtime.clients().build(SfnClient.builder()).startExecution(r -> r.stateMachineArn(runtime.stack().stateMachineArn())
                .name("shop-5").input("{\"action\": \"rollback\", \"service\": \"pushdeploy/none\"}")).executionArn();
        CliProcess.Result ambiguous = cli.run("cancel", "shop-5");
        assertEquals(1, ambiguous.exit(), ambiguous.toString());
        assertTrue(ambiguous.err().contains("shop-5 names a run (" + sameName + ") and a release (" + release + "); give the ARN of the one"
                + " you mean"), ambiguous.toString());
    }

    @Test
    void whenTheSecondFailsBothEndOnTheirPreviousRevision() {
        Map<String, String> webSecretsBefore = secrets(web.initialTaskDefinition(), web);
        JsonNode d = releaseWithApiCrashLooping("shop-2");
        assertEquals("FAILED", d.path("status").asText(), d.toString());
        assertEquals("ROLLED_BACK", d.path("error").asText(), d.toString());
        JsonNode cause = Json.tree(d.path("cause").asText());
        assertEquals("ROLLED_BACK", cause.path("outcome").asText());
        JsonNode webResult = result(cause, web);
        assertEquals("SUCCEEDED", webResult.path("deployment").asText(), webResult.toString());
        assertEquals("SUCCEEDED", webResult.path("rollback").asText());
        assertEquals("ROLLED_BACK", webResult.path("state").asText());
        assertEquals(web.initialTaskDefinition(), webResult.path("rolledBackTo").asText());
        JsonNode apiResult = result(cause, api);
        assertEquals("ROLLED_BACK", apiResult.path("deployment").asText(), apiResult.toString());
        assertEquals("BACK", apiResult.path("state").asText());

        for (StackOutputs.Service service : List.of(web, api)) {
            String live = live(service);
            assertEquals(service.initialTaskDefinition(), live, service.target().serviceKey() + " is back on its verified revision");
            assertEquals(service.repositoryUri() + "@" + service.initialDigest(), image(live, service));
            assertTrue(lockFree(service));
        }
        assertEquals(webSecretsBefore, secrets(live(web), web), "web reads the secret slots it read before");
        assertEquals(List.of("ROLLED_BACK"), outcomes(api));
        assertEquals(List.of("ROLLED_BACK"), outcomes(web), "one record per service: the release's rollback completes web's");
        Map<String, AttributeValue> webRecord = history(web).get(0);
        assertEquals(rollbackOf("shop-2", web), webRecord.get("undoneBy").s(), webRecord.toString());
        assertEquals(web.initialTaskDefinition(), webRecord.get("verifiedTaskDefinition").s());
        assertTrue(webRecord.get("reason").s().startsWith("release shop-2 rolled back"), webRecord.toString());
        Map<String, AttributeValue> record = releaseRecord("shop-2");
        assertEquals("ROLLED_BACK", record.get("outcome").s());
        assertTrue(record.get("reason").s().endsWith("front end and back end together"), record.toString());
        assertEquals(List.of("ROLLED_BACK", "ROLLED_BACK", "ROLLED_BACK", "SUCCEEDED"), sorted(notifiedOutcomes()),
                "api's, web's deployment and its completed record, the release's");
    }

    /** Release {@code name}: web's v1.1.0 with an api image whose tasks crash, so api rolls itself back; its description. */
    private JsonNode releaseWithApiCrashLooping(String name) {
        String broken = runtime.pushImage(api.target().repository(), "v2.0.0");
        runtime.simulator().imageScenario(broken, Scenario.CRASH_LOOP);
        return runtime.release(name, MANIFEST.replace("api:v1.1.0", "api:v2.0.0"), Scenario.HEALTHY).description();
    }

    /**
     * web's image before the release is gone from ECR (deleted by hand, or expired): the release's rollback of web is REJECTED
     * before any change, so web stays live on the release's image, and the release says so: FAILED, web LIVE, its rollback
     * REJECTED, not a rolled-back release.
     */
    @Test
    void whenTheWayBackOfTheFirstIsRefusedTheReleaseFailsWithItLeftLive() {
        var gone = runtime.clients().build(EcrClient.builder()).batchDeleteImage(r -> r.repositoryName(web.target().repository())
                .imageIds(i -> i.imageDigest(web.initialDigest())));
        assertEquals(List.of(), gone.failures());
        JsonNode d = releaseWithApiCrashLooping("shop-10");
        assertEquals("FAILED", d.path("error").asText(), d.toString());
        JsonNode cause = Json.tree(d.path("cause").asText());
        JsonNode webResult = result(cause, web);
        assertEquals(List.of("SUCCEEDED", "REJECTED", "LIVE"), List.of(webResult.path("deployment").asText(),
                webResult.path("rollback").asText(), webResult.path("state").asText()), webResult.toString());
        assertEquals("BACK", result(cause, api).path("state").asText());
        assertNotEquals(web.initialTaskDefinition(), live(web), "web stays on the release's revision");
        assertNotEquals(web.repositoryUri() + "@" + web.initialDigest(), image(live(web), web));
        assertEquals(api.initialTaskDefinition(), live(api));
        assertEquals("FAILED", releaseRecord("shop-10").get("outcome").s());
        assertTrue(lockFree(web) && lockFree(api));
    }

    /**
     * web's secret slot parameters of its revision before the release are deleted by hand once the release's rollback of web
     * was prepared (its Lock step held; deleted before, the rollback is REJECTED): the rollback starts, its tasks cannot
     * start (ECS cannot read the parameters) and it goes back to the release's revision, healthy. The release ends FAILED
     * with web LIVE, its rollback ROLLED_BACK; web's record says the undo failed and still names the revision it runs as
     * verified.
     */
    @Test
    void whenTheWayBackOfTheFirstCannotStartTheReleaseFailsWithItLeftLive() {
        SsmClient ssm = runtime.clients().build(SsmClient.builder());
        Map<String, String> slots = secrets(web.initialTaskDefinition(), web);
        LambdaRuntime.Hold undoLock = runtime.lambdas().hold("LockFunction", runtime.lambdas().invocations("LockFunction") + 3);
        CompletableFuture<Boolean> deleted = CompletableFuture.supplyAsync(() -> {
            try {
                boolean arrived = undoLock.awaitArrival(Duration.ofMinutes(3));
                if (arrived) {
                    slots.values().forEach(parameter -> ssm.deleteParameter(r -> r.name(parameter)));
                }
                return arrived;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                undoLock.release();
            }
        });
        JsonNode d = releaseWithApiCrashLooping("shop-11");
        assertTrue(deleted.join(), "the rollback of web (the third Lock) was held and its slots deleted");
        assertEquals("FAILED", d.path("error").asText(), d.toString());
        JsonNode webResult = result(Json.tree(d.path("cause").asText()), web);
        assertEquals(List.of("SUCCEEDED", "ROLLED_BACK", "LIVE"), List.of(webResult.path("deployment").asText(),
                webResult.path("rollback").asText(), webResult.path("state").asText()), webResult.toString());
        String live = live(web);
        assertNotEquals(web.initialTaskDefinition(), live, "web is back on the release's revision");
        Map<String, AttributeValue> webRecord = history(web).get(0);
        assertEquals("ROLLBACK_FAILED", webRecord.get("outcome").s(), webRecord.toString());
        assertEquals(live, java.util.Optional.ofNullable(webRecord.get("verifiedTaskDefinition")).map(AttributeValue::s).orElse(null),
                webRecord.toString());
        assertEquals(api.initialTaskDefinition(), live(api));
        assertTrue(lockFree(web) && lockFree(api));
    }

    /**
     * A push of web goes live while the release waits for api, which then fails: web's release revision was superseded by a
     * later run before the release's rollback came to it. The rollback leaves web on the later push's revision (it undoes the
     * release's move, which nothing runs any more, not a later deploy), records that, and the release ends ROLLED_BACK with
     * web SUPERSEDED. Before, the rollback took web back to its revision from before the release, silently undoing the later
     * push that had been reported SUCCEEDED.
     */
    @Test
    void aLaterPushThatWentLiveIsNotUndoneByTheReleasesRollback() {
        LambdaRuntime.Hold apiBack = runtime.lambdas().hold("RollbackFunction", runtime.lambdas().invocations("RollbackFunction") + 1);
        Workflow workflow = new Workflow(runtime);
        CompletableFuture<dev.pushdeploy.local.run.RunResult> later = CompletableFuture.supplyAsync(() -> {
            try {
                if (!apiBack.awaitArrival(Duration.ofMinutes(3))) {
                    throw new AssertionError("api never rolled itself back");
                }
                return workflow.push("v3.0.0", Scenario.HEALTHY);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            } finally {
                apiBack.release();
            }
        });
        JsonNode d = releaseWithApiCrashLooping("shop-12");
        dev.pushdeploy.local.run.RunResult push = later.join();
        assertEquals("SUCCEEDED", push.outcome(), push.reason());
        String pushed = live(web);
        assertEquals(web.repositoryUri() + "@" + workflow.digestOf("v3.0.0"), image(pushed, web), "the later push stays live");
        assertEquals("ROLLED_BACK", d.path("error").asText(), d.toString());
        JsonNode webResult = result(Json.tree(d.path("cause").asText()), web);
        assertEquals(List.of("SUCCEEDED", "IGNORED", "SUPERSEDED"), List.of(webResult.path("deployment").asText(),
                webResult.path("rollback").asText(), webResult.path("state").asText()), webResult.toString());
        assertEquals("BACK", result(Json.tree(d.path("cause").asText()), api).path("state").asText());
        assertEquals(api.initialTaskDefinition(), live(api));
        assertEquals(List.of("SUCCEEDED", "SUCCEEDED"), outcomes(web),
                "the release's deployment and the later push, both live in turn; the rollback, which changed nothing, completed neither");
        assertTrue(history(web).stream().noneMatch(record -> record.containsKey("undoneBy")), history(web).toString());
        assertTrue(lockFree(web) && lockFree(api));
    }

    /**
     * As above, but the release's rollback of web comes while the later push still holds web's lock, on its way back from a
     * failed rollout to the release's revision: the rollback waits for that run's end, then undoes the release's move (else the
     * release's image would stay on web alone, under a release that says it went back). Before, it saw the push's revision
     * live, left web to it as a later change, and the release said web SUPERSEDED while web went back to the release's image.
     * (The push's rollout completes and its smoke check fails, so it is our rollback, not ECS's circuit breaker, that
     * takes web back: the push's revision stays live until then.)
     */
    @Test
    void aReleasesRollbackWaitsForALaterPushStillGoingBack() throws InterruptedException {
        int rollbacks = runtime.lambdas().invocations("RollbackFunction");
        LambdaRuntime.Hold apiBack = runtime.lambdas().hold("RollbackFunction", rollbacks + 1);
        LambdaRuntime.Hold pushBack = runtime.lambdas().hold("RollbackFunction", rollbacks + 2);
        Workflow workflow = new Workflow(runtime);
        CompletableFuture<JsonNode> release = CompletableFuture.supplyAsync(() -> releaseWithApiCrashLooping("shop-15"));
        assertTrue(apiBack.awaitArrival(Duration.ofMinutes(3)), "api rolls itself back");
        awaitLock(workflow, false, 0, Duration.ofMinutes(2));
        String releaseRevision = live(web);
        LocalRuntime.Run push = workflow.start(pushOfWeb(workflow, "v3.0.0", Scenario.BAD_SMOKE), Scenario.HEALTHY, "shop-15-push");
        workflow.awaitState("shop-15-push", "WaitForRollout");
        assertNotEquals(releaseRevision, live(web), "the push moved web (ECS names its revision live)");
        apiBack.release();
        workflow.awaitState(rollbackOf("shop-15", web), "WaitForLock", "Ignored");
        pushBack.release();
        dev.pushdeploy.local.run.RunResult pushed = push.await();
        JsonNode d = release.join();

        assertEquals("ROLLED_BACK", pushed.outcome(), pushed.reason());
        assertEquals("ROLLED_BACK", d.path("error").asText(), d.toString());
        JsonNode webResult = result(Json.tree(d.path("cause").asText()), web);
        assertEquals(List.of("SUCCEEDED", "ROLLED_BACK"), List.of(webResult.path("rollback").asText(), webResult.path("state").asText()),
                webResult.toString());
        assertEquals(web.initialTaskDefinition(), live(web));
        assertEquals(api.initialTaskDefinition(), live(api));
        assertTrue(lockFree(web) && lockFree(api));
    }

    /**
     * web is busy with a slow push when the release starts, and a later push of web arrives while the release's deployment of
     * web waits for the lock: the newest request wins, so that deployment ends SUPERSEDED having changed nothing. The release
     * cannot go live together, so it rolls api back, and ends ROLLED_BACK with web SUPERSEDED (on the later push). Before, a
     * superseded deployment counted as unverified and the release ended FAILED, asking for a hand that had nothing to do.
     */
    @Test
    void aReleaseWhoseDeploymentALaterPushSupersededRollsTheOthersBack() throws InterruptedException {
        Workflow workflow = new Workflow(runtime);
        String slowFirst = pushOfWeb(workflow, "v3.0.0", Scenario.SLOW_START);
        LocalRuntime.Run first;
        LocalRuntime.Run later;
        CompletableFuture<LocalRuntime.Release> release;
        try (var wallPace = runtime.holdTime()) {
            first = runtime.start(slowFirst, Scenario.HEALTHY, null, line -> { });
            awaitLock(workflow, true, 0, WAITERS);
            release = CompletableFuture.supplyAsync(() -> runtime.release("shop-13", MANIFEST, Scenario.HEALTHY));
            awaitLock(workflow, true, 1, WAITERS);
            Thread.sleep(1100);
            later = workflow.start("v4.0.0", Scenario.HEALTHY);
            awaitLock(workflow, true, 2, WAITERS);
        }
        dev.pushdeploy.local.run.RunResult r1 = first.await();
        dev.pushdeploy.local.run.RunResult r3 = later.await();
        JsonNode d = release.join().description();

        assertEquals(List.of("SUCCEEDED", "SUCCEEDED"), List.of(r1.outcome(), r3.outcome()), r1.reason() + " / " + r3.reason());
        assertEquals(web.repositoryUri() + "@" + workflow.digestOf("v4.0.0"), image(live(web), web), "the newest push is live");
        assertEquals("ROLLED_BACK", d.path("error").asText(), d.toString());
        JsonNode cause = Json.tree(d.path("cause").asText());
        JsonNode webResult = result(cause, web);
        assertEquals(List.of("SUPERSEDED", "SUPERSEDED"), List.of(webResult.path("deployment").asText(), webResult.path("state").asText()),
                webResult.toString());
        JsonNode apiResult = result(cause, api);
        assertEquals(List.of("SUCCEEDED", "SUCCEEDED", "ROLLED_BACK"), List.of(apiResult.path("deployment").asText(),
                apiResult.path("rollback").asText(), apiResult.path("state").asText()), apiResult.toString());
        assertEquals(api.initialTaskDefinition(), live(api));
        assertEquals("ROLLED_BACK", releaseRecord("shop-13").get("outcome").s());
        assertTrue(lockFree(web) && lockFree(api));
    }

    /**
     * The release's image of web is the one a push of web is still rolling out, and that rollout fails: the release's
     * deployment of web waits for the push's run instead of counting the image as live, deploys it when that run has rolled
     * back, fails the same way, and the release rolls api back. Before, the deployment was IGNORED as "already in flight",
     * counted live, and the release ended SUCCEEDED with api on the new image and web back on the old one.
     */
    @Test
    void aReleaseOfAnImageAPushStillRollsOutWaitsForThatRunsVerdict() throws InterruptedException {
        Workflow workflow = new Workflow(runtime);
        String pushed = pushOfWeb(workflow, "v2.0.0", Scenario.CRASH_LOOP);
        LocalRuntime.Run push;
        CompletableFuture<LocalRuntime.Release> release;
        try (var wallPace = runtime.holdTime()) {
            push = runtime.start(pushed, Scenario.HEALTHY, null, line -> { });
            awaitLock(workflow, true, 0, WAITERS);
            release = CompletableFuture.supplyAsync(() -> runtime.release("shop-14", MANIFEST.replace("web:v1.1.0", "web:v2.0.0"),
                    Scenario.HEALTHY));
            workflow.awaitState(deploymentOf("shop-14", web), "WaitForLock", "Ignored");
        }
        dev.pushdeploy.local.run.RunResult first = push.await();
        JsonNode d = release.join().description();

        assertEquals("ROLLED_BACK", first.outcome(), first.reason());
        assertEquals("ROLLED_BACK", d.path("error").asText(), d.toString());
        JsonNode cause = Json.tree(d.path("cause").asText());
        JsonNode webResult = result(cause, web);
        assertEquals(List.of("ROLLED_BACK", "BACK"), List.of(webResult.path("deployment").asText(), webResult.path("state").asText()),
                webResult.toString());
        assertEquals("ROLLED_BACK", result(cause, api).path("state").asText(), cause.toString());
        assertEquals(web.initialTaskDefinition(), live(web));
        assertEquals(api.initialTaskDefinition(), live(api));
        assertTrue(lockFree(web) && lockFree(api));
    }

    /** A new image of web pushed, rolled out as {@code scenario} says; its ECR event. */
    private String pushOfWeb(Workflow workflow, String tag, Scenario scenario) {
        String event = workflow.pushEvent(tag);
        runtime.simulator().imageScenario(Json.tree(event).path("detail").path("image-digest").asText(), scenario);
        return event;
    }

    /** Waits until web's lock is {@code held} (and then {@code waiters} requests queue for it), at most {@code longest}. */
    private static void awaitLock(Workflow workflow, boolean held, int waiters, Duration longest) throws InterruptedException {
        long deadline = System.currentTimeMillis() + longest.toMillis();
        while (!(workflow.lockHeld() == held && (!held || workflow.waiters() == waiters)) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(held, workflow.lockHeld(), held ? "web's lock is held" : "web's lock is free");
        if (held) {
            assertEquals(waiters, workflow.waiters(), "requests queued for web's lock");
        }
    }

    /**
     * web's revision before the release was deregistered (a clean-up script): the release's rollback execution names it by
     * ARN, and StartDeployment, refused by ECS, takes web to a copy of it; both services end on their previous image.
     */
    @Test
    void whenTheWayBackOfTheFirstWasDeregisteredItGoesBackToACopy() {
        ecs.deregisterTaskDefinition(r -> r.taskDefinition(web.initialTaskDefinition()));
        JsonNode d = releaseWithApiCrashLooping("shop-8");
        assertEquals("ROLLED_BACK", d.path("error").asText(), d.toString());
        JsonNode webResult = result(Json.tree(d.path("cause").asText()), web);
        assertEquals("SUCCEEDED", webResult.path("rollback").asText(), webResult.toString());
        assertEquals("ROLLED_BACK", webResult.path("state").asText(), webResult.toString());
        String copy = live(web);
        assertNotEquals(web.initialTaskDefinition(), copy);
        assertEquals(web.repositoryUri() + "@" + web.initialDigest(), image(copy, web));
        assertEquals(web.initialTaskDefinition(), ecs.describeTaskDefinition(r -> r.taskDefinition(copy)
                .include(software.amazon.awssdk.services.ecs.model.TaskDefinitionField.TAGS)).tags().stream()
                .filter(t -> t.key().equals("pushdeploy:copy-of")).findFirst().orElseThrow().value());
        assertEquals(api.initialTaskDefinition(), live(api));
        assertTrue(lockFree(web) && lockFree(api));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"services\": [{\"service\": \"pushdeploy/web\", \"image\": \"web:v1.1.0\", \"tag\": \"x\"}]} | services[0].tag",
            "{\"services\": [{\"service\": \"pushdeploy/web\", \"image\": \"api:v1.1.0\"}]}                 | services[0].image",
            "{\"services\": [{\"service\": \"pushdeploy/web\", \"image\": \"web:v9.9.9\"}]}                 | services[0].image",
            "{\"services\": [{\"service\": \"pushdeploy/db\", \"image\": \"web:v1.1.0\"}]}                  | services[0].service",
            "{\"services\": []}                                                                         | services",
            "{\"images\": [\"web:v1.1.0\"]}                                                             | images"})
    void aBadManifestIsRejectedNamingTheFieldWithoutAWrite(String manifest, String field) {
        String name = "bad-" + Integer.toHexString(manifest.hashCode());
        LocalRuntime.Release release = runtime.release(name, manifest, Scenario.HEALTHY);

        JsonNode d = release.description();
        assertEquals("FAILED", d.path("status").asText(), d.toString());
        assertEquals("REJECTED", d.path("error").asText(), d.toString());
        assertTrue(d.path("cause").asText().contains(field + ": "), d.path("cause").asText());
        assertEquals(List.of(), release.writes());
        SfnClient sfn = runtime.clients().build(SfnClient.builder());
        assertEquals(0, sfn.listExecutions(r -> r.stateMachineArn(runtime.stack().stateMachineArn())).executions().size());
        assertEquals(web.initialTaskDefinition(), live(web));
        assertEquals(api.initialTaskDefinition(), live(api));
        assertTrue(releaseRecord(name).isEmpty());
        assertEquals(List.of(), runtime.notifications());
    }

    /**
     * A release while one of web's deployment alarms was deleted: the planner refuses it naming the service, before any
     * deployment starts (each service's Prepare would refuse its own, but only after the others had started).
     */
    @Test
    void aReleaseWhoseServiceLacksADeploymentAlarmIsRejectedBeforeAnyDeploymentStarts() {
        String alarm = web.target().health().alarms().get(0);
        runtime.clients().build(CloudWatchClient.builder()).deleteAlarms(r -> r.alarmNames(alarm));

        LocalRuntime.Release release = runtime.release("shop-9", MANIFEST, Scenario.HEALTHY);

        rejectedBeforeAnythingStarted(release, "services[0].service: CloudWatch has no alarm " + alarm + " ");
    }

    /** The release ended REJECTED, its cause containing {@code cause}: it wrote nothing, started no deployment, moved nothing. */
    private void rejectedBeforeAnythingStarted(LocalRuntime.Release release, String cause) {
        JsonNode d = release.description();
        assertEquals("FAILED", d.path("status").asText(), d.toString());
        assertEquals("REJECTED", d.path("error").asText(), d.toString());
        assertTrue(d.path("cause").asText().contains(cause), d.path("cause").asText());
        assertEquals(List.of(), release.writes());
        SfnClient sfn = runtime.clients().build(SfnClient.builder());
        assertEquals(0, sfn.listExecutions(r -> r.stateMachineArn(runtime.stack().stateMachineArn())).executions().size());
        assertEquals(web.initialTaskDefinition(), live(web));
        assertEquals(api.initialTaskDefinition(), live(api));
    }

    /**
     * A release while api was scaled to 0 tasks (by hand, or by its auto scaling): api's own Prepare would refuse its
     * deployment, but only after web's had started, and web, gone live, would then be rolled back (ROLLED_BACK, the
     * summary naming api's deployment REJECTED and not why). The plan checks each service as Prepare does and refuses the
     * release naming api and why, before any deployment starts.
     */
    @Test
    void aReleaseWhoseServiceIsScaledToZeroIsRejectedBeforeAnyDeploymentStarts() {
        ecs.updateService(r -> r.cluster(api.target().cluster()).service(api.target().service()).desiredCount(0));

        LocalRuntime.Release release = runtime.release("shop-40", MANIFEST, Scenario.HEALTHY);

        rejectedBeforeAnythingStarted(release, "services[1].service: pushdeploy/api is scaled to 0 tasks (desired count 0 on ");
    }

    /**
     * A release whose Record state fails every attempt (DynamoDB answering its PutItem with a server error for the minute of
     * its retries; Step Functions' own calls, moto's here, answered so at the local endpoint) goes on to its Notify state and
     * its end, SUCCEEDED. The reconciler, handed that end, finds no record and writes it from the summary the release ended
     * with, and sends no second notification (Notify's went out). Before, a SUCCEEDED end went to no one and the release
     * stayed without a record.
     */
    @Test
    void aReleaseWhoseRecordStateFailsEveryAttemptIsRecordedByTheReconcilerFromItsSummary() throws InterruptedException {
        LocalRuntime.Release release;
        try (LocalRuntime.CallAnswers unavailable = runtime.answerCalls(r -> !javaSdk(r)
                        && "DynamoDB_20120810.PutItem".equals(r.header("X-Amz-Target")) && r.bodyText().contains("rel#shop-41"),
                dev.pushdeploy.local.endpoint.AwsResponse.json(500, "application/x-amz-json-1.0",
                        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\",\"message\":\"Internal server error\"}",
                        Map.of("x-amzn-RequestId", "0")))) {
            release = runtime.release("shop-41", MANIFEST, Scenario.HEALTHY);
        }
        JsonNode d = release.description();
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        accounted(d.path("executionArn").asText());

        Map<String, AttributeValue> recorded = releaseRecord("shop-41");
        assertEquals(List.of("SUCCEEDED", "release shop-41: front end and back end together", d.path("executionArn").asText(), "reconciler"),
                List.of(recorded.get("outcome").s(), recorded.get("reason").s(), recorded.get("execution").s(), recorded.get("recordedBy").s()),
                recorded.toString());
        assertTrue(recorded.get("cause").s().startsWith("the release's Record state did not write its record"), recorded.toString());
        List<String> services = new ArrayList<>();
        for (JsonNode service : Json.tree(recorded.get("services").s())) {
            services.add(service.path("service").asText() + " " + service.path("deployment").asText() + " " + service.path("state").asText());
        }
        assertEquals(List.of("pushdeploy/web SUCCEEDED LIVE", "pushdeploy/api SUCCEEDED LIVE"), services);
        assertEquals(List.of("pushdeploy release shop-41: SUCCEEDED"), releaseNotices(), "the workflow's notification, none more");
    }

    /**
     * A release whose Notify state's publish fails every attempt (SNS answering with a server error) ends as it would have,
     * its record written, and the summary it ends with says Notify failed: the reconciler sends the notification, once.
     * Before, that release was never announced.
     */
    @Test
    void aReleaseWhoseNotifyStateFailsEveryAttemptIsAnnouncedByTheReconciler() throws InterruptedException {
        LocalRuntime.Release release;
        try (LocalRuntime.CallAnswers unavailable = runtime.answerCalls(r -> !javaSdk(r)
                        && "Publish".equals(r.form().get("Action")) && String.valueOf(r.form().get("Subject")).contains("release shop-42"),
                dev.pushdeploy.local.endpoint.AwsResponse.xml(500, "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code>"
                        + "<Message>Internal error</Message></Error><RequestId>0</RequestId></ErrorResponse>"))) {
            release = runtime.release("shop-42", MANIFEST, Scenario.HEALTHY);
        }
        JsonNode d = release.description();
        assertEquals("SUCCEEDED", d.path("status").asText(), d.toString());
        assertTrue(d.path("output").asText().contains("notifyFailed"), d.toString());
        accounted(d.path("executionArn").asText());

        Map<String, AttributeValue> recorded = releaseRecord("shop-42");
        assertEquals("SUCCEEDED", recorded.get("outcome").s());
        assertTrue(!recorded.containsKey("recordedBy"), "the workflow's own record: " + recorded);
        assertEquals(List.of("pushdeploy release shop-42: SUCCEEDED"), releaseNotices(), "sent by the reconciler, once");
    }

    /** A request of the functions' (AWS SDK for Java), not of Step Functions' own integrations (moto's, botocore). */
    private static boolean javaSdk(dev.pushdeploy.local.endpoint.AwsRequest request) {
        return String.valueOf(request.header("User-Agent")).contains("aws-sdk-java");
    }

    /**
     * The planner cannot read ECR (throttled past every retry here; an outage, a missing permission, Plan's own timeout
     * alike): no bad manifest, so not REJECTED (which records nothing, CLI exit code 2) but PLAN_FAILED, which the reconciler
     * records FAILED ("... before its plan was made: no deployment was started") and announces once.
     */
    @Test
    void aReleaseWhosePlanCannotReadEcrIsFailedRecordedAndAnnounced() throws InterruptedException {
        LocalRuntime.Release release;
        try (LocalRuntime.CallAnswers throttled = runtime.answerCalls(
                r -> String.valueOf(r.header("X-Amz-Target")).startsWith("AmazonEC2ContainerRegistry"),
                dev.pushdeploy.local.endpoint.AwsResponse.json(400, dev.pushdeploy.local.endpoint.AwsResponse.JSON_1_1,
                        "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}", Map.of()))) {
            release = runtime.release("shop-21", MANIFEST, Scenario.HEALTHY);
        }
        JsonNode d = release.description();
        String release21 = d.path("executionArn").asText();
        runtime.accounting(release21, java.time.Duration.ofMinutes(2));
        assertEquals("PLAN_FAILED", d.path("error").asText(), "a throttled ECR is no bad manifest: " + d);
        assertTrue(d.path("cause").asText().contains("ThrottlingException"), d.toString());
        assertEquals("FAILED", releaseRecord("shop-21").get("outcome").s(), "the release has its record: " + d);
        assertTrue(releaseRecord("shop-21").get("cause").s().endsWith("before its plan was made: no deployment was started"),
                releaseRecord("shop-21").toString());
        assertEquals(List.of("pushdeploy release shop-21: FAILED"), releaseNotices(), "one notification");
    }

    /**
     * A release's record is keyed by its name ({@code rel#<release>}) and stays, while Step Functions takes an execution name
     * again 90 days after the last execution of that name ended. The record of an earlier release of that name (one the
     * reconciler wrote because it was stopped) is seeded here as it stands after those 90 days. The new release is refused
     * before anything starts, naming the name and the earlier release; before, it deployed both services and then ended
     * FAILED "ABORTED" with the old record's cause, no record and no notification of its own.
     */
    @Test
    void aReleaseReusingTheNameOfAnEarlierOneIsRefusedBeforeAnythingStarts() {
        String old = runtime.stack().releaseStateMachineArn().replace(":stateMachine:", ":execution:") + ":shop-22";
        dynamo.putItem(r -> r.tableName(runtime.stack().table()).item(Map.of(
                "pk", AttributeValue.fromS("rel#shop-22"), "sk", AttributeValue.fromS("release"),
                "outcome", AttributeValue.fromS("ABORTED"), "reason", AttributeValue.fromS("release shop-22"),
                "cause", AttributeValue.fromS("the release was stopped (four months ago)"), "services", AttributeValue.fromS("[]"),
                "execution", AttributeValue.fromS(old), "recordedAt", AttributeValue.fromS("2026-08-01T10:00:00Z"),
                "recordedBy", AttributeValue.fromS("reconciler"), "published", AttributeValue.fromBool(true))));

        LocalRuntime.Release release = runtime.release("shop-22", MANIFEST, Scenario.HEALTHY);

        JsonNode d = release.description();
        assertEquals(List.of("FAILED", "REJECTED"), List.of(d.path("status").asText(), d.path("error").asText()), d.toString());
        assertTrue(d.path("cause").asText().startsWith("release: the name shop-22 was used by an earlier release (execution " + old
                + ", ABORTED)"), d.path("cause").asText());
        SfnClient sfn = runtime.clients().build(SfnClient.builder());
        assertEquals(0, sfn.listExecutions(r -> r.stateMachineArn(runtime.stack().stateMachineArn())).executions().size());
        assertEquals(web.initialTaskDefinition(), live(web));
        assertEquals(api.initialTaskDefinition(), live(api));
        assertEquals("the release was stopped (four months ago)", releaseRecord("shop-22").get("cause").s(), "the earlier record stays");
        assertEquals(List.of(), releaseNotices());
    }

    /**
     * Through the CLI, a bad manifest's REJECTED release: the outcome line and the JSON summary's reason name the field (the
     * cause is Plan's Lambda error document, its message the reason).
     */
    @Test
    void theCliNamesTheFieldABadManifestIsRejectedFor(@TempDir Path dir) throws Exception {
        Path manifest = Files.writeString(dir.resolve("bad.json"), MANIFEST.replace("web:v1.1.0", "api:v1.1.0"));
        String field = "services[0].image: repository api is not pushdeploy/web's repository";
        CliProcess cli = cli(dir);

        CliProcess.Result rejected = cli.run("release", "--name", "shop-23", manifest.toString());
        CliProcess.Result json = cli.run("--json", "release", "--name", "shop-24", manifest.toString());

        assertEquals(List.of(2, 2), List.of(rejected.exit(), json.exit()), rejected + "\n" + json);
        assertTrue(rejected.out().contains("→ release REJECTED: " + field), rejected.toString());
        assertTrue(json.json().path("reason").asText("").contains(field), json.toString());
    }

    private String live(StackOutputs.Service service) {
        return runtime.liveTaskDefinition(service.target().cluster(), service.target().service());
    }

    private ContainerDefinition container(String taskDefinition, StackOutputs.Service service) {
        return ecs.describeTaskDefinition(r -> r.taskDefinition(taskDefinition)).taskDefinition().containerDefinitions().stream()
                .filter(c -> c.name().equals(service.target().container())).findFirst().orElseThrow();
    }

    private String image(String taskDefinition, StackOutputs.Service service) {
        return container(taskDefinition, service).image();
    }

    private Map<String, String> secrets(String taskDefinition, StackOutputs.Service service) {
        Map<String, String> secrets = new TreeMap<>();
        container(taskDefinition, service).secrets().forEach(s -> secrets.put(s.name(), s.valueFrom()));
        return secrets;
    }

    /**
     * An operator stops a release while both deployments watch their rollouts. Step Functions stops the
     * executions a .sync task started when its own execution is stopped: each deployment ends ABORTED, is
     * accounted for by the reconciler (one record, the lock free) and, RollBackStoppedRuns being on, its
     * service goes back to the revision live before; neither runs on to deploy a release nobody wants.
     * Redriven then, the release fails again and changes nothing: the names of its deployments are taken.
     */
    @Test
    void aStoppedReleaseStopsTheDeploymentsItIsRunning() throws InterruptedException {
        runtime.simulator().scenario(Scenario.SLOW_START);
        SfnClient sfn = runtime.clients().build(SfnClient.builder());
        Workflow workflow = new Workflow(runtime);
        String release;
        List<String> deployments;
        try (var wallPace = runtime.holdTime()) {
            release = sfn.startExecution(r -> r.stateMachineArn(runtime.stack().releaseStateMachineArn()).name("shop-3")
                    .input(MANIFEST)).executionArn();
            for (String deployment : List.of(deploymentOf("shop-3", web), deploymentOf("shop-3", api))) {
                workflow.awaitState(deployment, "WaitForRollout");
            }
            deployments = List.of(runtime.executionArn(deploymentOf("shop-3", web)), runtime.executionArn(deploymentOf("shop-3", api)));
            sfn.stopExecution(r -> r.executionArn(release).cause("the wrong images"));
        }

        for (String deployment : deployments) {
            LocalRuntime.Accounting accounted = runtime.accounting(deployment, java.time.Duration.ofMinutes(2))
                    .orElseThrow(() -> new AssertionError(deployment + " was not accounted for: "
                            + sfn.describeExecution(r -> r.executionArn(deployment)).statusAsString()));
            assertEquals("ABORTED", accounted.status(), deployment);
        }
        assertEquals("ABORTED", sfn.describeExecution(r -> r.executionArn(release)).statusAsString());
        for (StackOutputs.Service service : List.of(web, api)) {
            assertEquals(List.of("ABORTED"), outcomes(service), service.target().serviceKey() + ": one record");
            assertEquals(service.initialTaskDefinition(), live(service), service.target().serviceKey() + " went back (RollBackStoppedRuns)");
            assertTrue(lockFree(service));
        }
        accounted(release);
        Map<String, AttributeValue> record = releaseRecord("shop-3");
        assertEquals("ABORTED", record.get("outcome").s(), record.toString());
        assertEquals("reconciler", record.get("recordedBy").s());
        assertTrue(record.get("cause").s().startsWith("the release was stopped (the wrong images)"), record.toString());
        for (StackOutputs.Service service : List.of(web, api)) {
            JsonNode result = result(Json.tree("{\"services\":" + record.get("services").s() + "}"), service);
            assertEquals(List.of("ABORTED", "UNVERIFIED"), List.of(result.path("deployment").asText(), result.path("state").asText()),
                    result.toString());
        }
        assertEquals(List.of("pushdeploy release shop-3: ABORTED"), releaseNotices(), "the release's notification, once");

        Map<String, String> liveBefore = Map.of("web", live(web), "api", live(api));
        Workflow.Redrive redriven = redrive(sfn, release);
        assertEquals("FAILED", redriven.ended().statusAsString(), redriven.ended().toString());
        List<String> entered = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (HistoryEvent event : redriven.events()) {
            if (event.stateEnteredEventDetails() != null) {
                entered.add(event.stateEnteredEventDetails().name());
            }
            if (event.taskFailedEventDetails() != null) {
                failed.add(event.taskFailedEventDetails().error());
            }
        }
        assertEquals(List.of("Deploy", "DeployService", "DeployService"), entered.subList(0, Math.min(3, entered.size())),
                "it resumed in the Map state it ended in, both deployments again: " + entered);
        assertEquals(List.of("StepFunctions.ExecutionAlreadyExistsException", "StepFunctions.ExecutionAlreadyExistsException"), failed,
                "a deployment's name is taken once its execution ended (each service UNKNOWN, not a child's end to parse): " + entered);
        assertTrue(entered.contains("AccountedFor") && !entered.contains("RollBack") && !entered.contains("Record"),
                "before anything goes back it finds the reconciler's record: " + entered);
        assertEquals(2, entered.stream().filter("DeployUnknown"::equals).count(), entered.toString());
        assertEquals("AsRecorded", entered.get(entered.size() - 1), "it ends as its record says: " + entered);
        assertEquals("ABORTED", redriven.ended().error(), redriven.ended().toString());
        assertEquals(liveBefore, Map.of("web", live(web), "api", live(api)), "nothing moved");
        for (StackOutputs.Service service : List.of(web, api)) {
            assertEquals(List.of("ABORTED"), outcomes(service), service.target().serviceKey() + ": still one record");
            assertTrue(lockFree(service));
        }
        assertEquals(record, releaseRecord("shop-3"), "the reconciler's record stands");
        assertEquals(List.of(), releaseNotices(), "no second notification");
    }

    /**
     * An operator redrives the release (the console offers it on any unsuccessful execution), which resumes in the state it
     * ended in; answers how it ended again, once its second end reached the reconciler.
     */
    private Workflow.Redrive redrive(SfnClient sfn, String release) throws InterruptedException {
        Workflow.Redrive redriven = Workflow.redrive(sfn, release);
        assertEquals(1, redriven.ended().redriveCount());
        LocalRuntime.Accounting second = runtime.accounting(release, 1, java.time.Duration.ofMinutes(2))
                .orElseThrow(() -> new AssertionError("the redriven release's end was not accounted for"));
        assertFalse(second.failed(), second.deliveries().toString());
        return redriven;
    }

    /**
     * A release stopped after one service went live and while the other's deployment was still starting:
     * the one still starting is stopped (its own reconciler undoes the move it makes late), and the one
     * live goes back by the rollback execution the release's own rollback would have started
     * (RollBackStoppedRuns); the release gets its record and one notification, saying so.
     */
    @Test
    void aStoppedReleaseTakesBackWhatItHadAlreadyMoved() throws InterruptedException {
        SfnClient sfn = runtime.clients().build(SfnClient.builder());
        CallHold apiMove = runtime.holdCall(r -> deploymentOf("shop-4", api).equals(r.header(ExecutionScope.HEADER)) && r.operation().equals("UpdateService"));
        String release = sfn.startExecution(r -> r.stateMachineArn(runtime.stack().releaseStateMachineArn()).name("shop-4")
                .input(MANIFEST)).executionArn();
        assertTrue(apiMove.awaitArrival(java.time.Duration.ofMinutes(2)), "api's StartDeployment sent UpdateService");
        String webRun = runtime.executionArn(deploymentOf("shop-4", web));
        assertEquals("SUCCEEDED", runtime.accounting(webRun, java.time.Duration.ofMinutes(2)).orElseThrow(
                () -> new AssertionError("web's deployment did not end")).status());
        String movedTo = live(web);
        assertNotEquals(web.initialTaskDefinition(), movedTo);

        sfn.stopExecution(r -> r.executionArn(release).cause("the wrong images"));
        accounted(release);
        apiMove.release();

        LocalRuntime.Accounting back = runtime.accounting(runtime.executionArn(rollbackOf("shop-4", web)), java.time.Duration.ofMinutes(3))
                .orElseThrow(() -> new AssertionError("no rollback of web ended"));
        assertEquals("SUCCEEDED", back.status());
        assertEquals(web.initialTaskDefinition(), live(web), "web went back to the revision live before the release");
        assertEquals(List.of("ROLLED_BACK"), outcomes(web), "web's record, completed by its rollback");
        assertEquals(rollbackOf("shop-4", web), history(web).get(0).get("undoneBy").s());
        assertTrue(lockFree(web));
        LocalRuntime.Accounting apiEnd = runtime.accounting(runtime.executionArn(deploymentOf("shop-4", api)), java.time.Duration.ofMinutes(2)).orElseThrow();
        assertEquals("ABORTED", apiEnd.status());
        assertEquals(List.of("ABORTED"), outcomes(api));
        long deadline = System.currentTimeMillis() + 60_000;
        while (!api.initialTaskDefinition().equals(live(api)) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(api.initialTaskDefinition(), live(api), "api's late move undone by its step");

        Map<String, AttributeValue> record = releaseRecord("shop-4");
        assertEquals("ABORTED", record.get("outcome").s(), record.toString());
        JsonNode services = Json.tree("{\"services\":" + record.get("services").s() + "}");
        JsonNode webResult = result(services, web);
        assertEquals(List.of("SUCCEEDED", "ROLLING_BACK", "STARTED", rollbackOf("shop-4", web), web.initialTaskDefinition()),
                List.of(webResult.path("deployment").asText(), webResult.path("state").asText(), webResult.path("rollback").asText(),
                        webResult.path("rollbackExecution").asText(), webResult.path("rollbackTo").asText()), webResult.toString());
        JsonNode apiResult = result(services, api);
        assertEquals(List.of("ABORTED", "UNVERIFIED"), List.of(apiResult.path("deployment").asText(), apiResult.path("state").asText()));
        assertTrue(record.get("cause").s().contains("going back to the revision live before (RollBackStoppedRuns): pushdeploy/web"),
                record.toString());
        assertEquals(List.of("pushdeploy release shop-4: ABORTED"), releaseNotices());
    }

    /**
     * RollBackStoppedRuns off: a release stopped after web went live and while api's deployment was starting leaves web
     * live, as its record says (NOT_STARTED). Redriven then (the console offers it), the release's own way back must not
     * undo that: before, api's part ended UNKNOWN (its name taken), the release saw a service not live and its RollBack map
     * moved web back, which the record still called live. It now finds the record the reconciler wrote before anything
     * goes back, ends as that record says, and moves nothing.
     */
    @Test
    void aStoppedReleaseRedrivenWithRollBackStoppedRunsOffMovesNothingItsRecordLeftLive() throws InterruptedException {
        use(TestRuntime.fresh(Map.of("SecondServiceName", "api", "RollBackStoppedRuns", "false")));
        SfnClient sfn = runtime.clients().build(SfnClient.builder());
        CallHold apiMove = runtime.holdCall(r -> deploymentOf("shop-6", api).equals(r.header(ExecutionScope.HEADER))
                && r.operation().equals("UpdateService"));
        String release = sfn.startExecution(r -> r.stateMachineArn(runtime.stack().releaseStateMachineArn()).name("shop-6")
                .input(MANIFEST)).executionArn();
        assertTrue(apiMove.awaitArrival(java.time.Duration.ofMinutes(2)), "api's StartDeployment sent UpdateService");
        String webRun = runtime.executionArn(deploymentOf("shop-6", web));
        assertEquals("SUCCEEDED", runtime.accounting(webRun, java.time.Duration.ofMinutes(2)).orElseThrow(
                () -> new AssertionError("web's deployment did not end")).status());
        String released = live(web);
        assertNotEquals(web.initialTaskDefinition(), released);

        sfn.stopExecution(r -> r.executionArn(release).cause("stop the release"));
        accounted(release);
        apiMove.release();
        assertEquals("ABORTED", runtime.accounting(runtime.executionArn(deploymentOf("shop-6", api)), java.time.Duration.ofMinutes(2))
                .orElseThrow().status());
        Map<String, AttributeValue> record = releaseRecord("shop-6");
        JsonNode webResult = result(Json.tree("{\"services\":" + record.get("services").s() + "}"), web);
        assertEquals(List.of("SUCCEEDED", "LIVE"), List.of(webResult.path("deployment").asText(), webResult.path("state").asText()),
                webResult.toString());
        assertEquals(released, live(web), "web stays live: RollBackStoppedRuns is off");

        Workflow.Redrive redriven = redrive(sfn, release);
        List<String> entered = new ArrayList<>();
        for (HistoryEvent event : redriven.events()) {
            if (event.stateEnteredEventDetails() != null) {
                entered.add(event.stateEnteredEventDetails().name());
            }
        }
        assertTrue(entered.contains("AccountedFor") && !entered.contains("RollBack"), "it found its record before going back: " + entered);
        assertEquals("AsRecorded", entered.get(entered.size() - 1), entered.toString());
        assertEquals("ABORTED", redriven.ended().error(), redriven.ended().toString());
        assertEquals(released, live(web), "web stays where the record says it is");
        String webBack = runtime.executionArn(rollbackOf("shop-6", web));
        assertThrows(ExecutionDoesNotExistException.class, () -> sfn.describeExecution(r -> r.executionArn(webBack)),
                "no rollback of web was started");
        assertEquals(record, releaseRecord("shop-6"), "the reconciler's record stands");
    }

    /**
     * A release stopped after its Record state wrote the outcome and while its Notify state was publishing it
     * (the publish never reaching SNS): the record stands as the workflow wrote it, and the reconciler sends its
     * notification, once.
     */
    @Test
    void aReleaseStoppedBeforeItsNotificationIsAnnouncedByTheReconciler() throws InterruptedException {
        SfnClient sfn = runtime.clients().build(SfnClient.builder());
        CallHold publish = runtime.holdCall(r -> r.operation().equals("Publish")
                && r.form().getOrDefault("Subject", "").startsWith("pushdeploy release shop-5:"));
        String release = sfn.startExecution(r -> r.stateMachineArn(runtime.stack().releaseStateMachineArn()).name("shop-5")
                .input(MANIFEST)).executionArn();
        assertTrue(publish.awaitArrival(java.time.Duration.ofMinutes(3)), "the release's Notify state published");
        assertEquals("SUCCEEDED", releaseRecord("shop-5").get("outcome").s(), "recorded by the workflow first");

        sfn.stopExecution(r -> r.executionArn(release).cause("stopped while it announced"));
        accounted(release);
        publish.refuse();

        Map<String, AttributeValue> record = releaseRecord("shop-5");
        assertEquals("SUCCEEDED", record.get("outcome").s(), record.toString());
        assertFalse(record.containsKey("recordedBy"), "the workflow's record stands: " + record);
        assertEquals(AttributeValue.fromBool(true), record.get("published"), "announced: " + record);
        assertEquals(List.of("pushdeploy release shop-5: SUCCEEDED"), releaseNotices(), "the release's notification, once");
    }

    /**
     * A release stopped while its Record state was writing (the write never reaching DynamoDB) had decided its outcome:
     * the reconciler records it as decided (SUCCEEDED, from the summary Record was writing), announces it, and undoes
     * nothing, RollBackStoppedRuns on or not, as a stop a moment later (the record written) would have left it. Before,
     * it was recorded ABORTED and both services, live and healthy, went back. Redriven, it resumes in Record, whose write
     * does not replace the reconciler's record, and ends as decided: SUCCEEDED, no second notification.
     */
    @Test
    void aReleaseStoppedWhileItRecordedItsOutcomeIsRecordedAsDecidedAndRedrivenEndsSo() throws InterruptedException {
        SfnClient sfn = runtime.clients().build(SfnClient.builder());
        CallHold record = runtime.holdCall(r -> r.operation().equals("PutItem") && r.bodyText().contains("rel#shop-7"));
        String release = sfn.startExecution(r -> r.stateMachineArn(runtime.stack().releaseStateMachineArn()).name("shop-7")
                .input(MANIFEST)).executionArn();
        assertTrue(record.awaitArrival(java.time.Duration.ofMinutes(3)), "the release's Record state wrote");
        Map<String, String> released = Map.of("web", live(web), "api", live(api));

        sfn.stopExecution(r -> r.executionArn(release).cause("stopped while it recorded"));
        accounted(release);
        record.refuse();

        Map<String, AttributeValue> recorded = releaseRecord("shop-7");
        assertEquals(List.of("SUCCEEDED", "reconciler"), List.of(recorded.get("outcome").s(), recorded.get("recordedBy").s()),
                recorded.toString());
        assertEquals("the release was stopped (stopped while it recorded) after its outcome was decided and before its Record state"
                + " wrote it: recorded as decided, from the release's summary; nothing of it was undone", recorded.get("cause").s());
        List<String> services = new ArrayList<>();
        for (JsonNode service : Json.tree(recorded.get("services").s())) {
            services.add(service.path("service").asText() + " " + service.path("state").asText());
        }
        assertEquals(List.of("pushdeploy/web LIVE", "pushdeploy/api LIVE"), services);
        for (String rollback : List.of(rollbackOf("shop-7", web), rollbackOf("shop-7", api))) {
            assertTrue(sfn.listExecutions(r -> r.stateMachineArn(runtime.stack().stateMachineArn())).executions().stream()
                    .noneMatch(e -> e.name().equals(rollback)), "no rollback started: " + rollback);
        }
        assertEquals(released, Map.of("web", live(web), "api", live(api)), "both services stay on the release's images");
        assertEquals(List.of("pushdeploy release shop-7: SUCCEEDED"), releaseNotices());

        DescribeExecutionResponse redriven = redrive(sfn, release).ended();

        assertEquals("SUCCEEDED", redriven.statusAsString(), redriven.toString());
        assertEquals("SUCCEEDED", Json.tree(redriven.output()).path("outcome").asText(), redriven.output());
        assertEquals(recorded, releaseRecord("shop-7"), "the reconciler's record stands");
        assertEquals(List.of(), releaseNotices(), "no second notification");
        assertEquals(released, Map.of("web", live(web), "api", live(api)), "nothing moved");
    }

    /** The release's end went to the reconciler, which answered. */
    private void accounted(String release) {
        LocalRuntime.Accounting accounted = runtime.accounting(release, java.time.Duration.ofMinutes(2))
                .orElseThrow(() -> new AssertionError(release + " was not accounted for"));
        assertEquals(1, accounted.deliveries().size(), "one rule on the release's end: " + accounted.deliveries());
        assertTrue(!accounted.failed(), accounted.deliveries().toString());
    }

    private List<String> releaseNotices() {
        return runtime.notifications().stream().map(Json::tree).filter(n -> n.has("release"))
                .map(n -> "pushdeploy release " + n.path("release").asText() + ": " + n.path("outcome").asText()).toList();
    }

    private String digest(StackOutputs.Service service, String tag) {
        return runtime.clients().build(EcrClient.builder())
                .describeImages(r -> r.repositoryName(service.target().repository()).imageIds(i -> i.imageTag(tag)))
                .imageDetails().get(0).imageDigest();
    }

    private static JsonNode result(JsonNode summary, StackOutputs.Service service) {
        for (JsonNode result : summary.path("services")) {
            if (result.path("service").asText().equals(service.target().serviceKey())) {
                return result;
            }
        }
        throw new AssertionError("no result for " + service.target().serviceKey() + " in " + summary);
    }

    /** The outcomes of the service's history records, oldest first. */
    private List<String> outcomes(StackOutputs.Service service) {
        return history(service).stream().map(i -> i.get("outcome").s()).toList();
    }

    private List<Map<String, AttributeValue>> history(StackOutputs.Service service) {
        return dynamo.query(r -> r.tableName(runtime.stack().table()).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :hist)")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("svc#" + service.target().serviceKey()),
                                ":hist", AttributeValue.fromS("hist#"))))
                .items();
    }

    private boolean lockFree(StackOutputs.Service service) {
        return dynamo.getItem(r -> r.tableName(runtime.stack().table()).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS("svc#" + service.target().serviceKey()), "sk", AttributeValue.fromS("lock"))))
                .item().isEmpty();
    }

    private Map<String, AttributeValue> releaseRecord(String release) {
        return dynamo.getItem(r -> r.tableName(runtime.stack().table()).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS("rel#" + release), "sk", AttributeValue.fromS("release")))).item();
    }

    private List<String> notifiedOutcomes() {
        return runtime.notifications().stream().map(n -> Json.tree(n).path("outcome").asText()).toList();
    }

    private static List<String> sorted(List<String> values) {
        List<String> copy = new ArrayList<>(values);
        copy.sort(null);
        return copy;
    }
}
