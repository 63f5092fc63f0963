package dev.pushdeploy.local.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.ledger.KeptImages;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.events.LocalEventBus;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.ecs.DeploymentStart;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.ecs.Throttling;
import dev.pushdeploy.local.endpoint.CallHold;
import dev.pushdeploy.local.endpoint.ExecutionScope;
import dev.pushdeploy.local.lambda.Fault;
import dev.pushdeploy.local.lambda.FunctionSpec;
import dev.pushdeploy.local.lambda.LambdaRuntime;
import dev.pushdeploy.local.run.RunResult;
import dev.pushdeploy.local.aws.Clients;
import dev.pushdeploy.local.daemon.LocalDaemon;
import dev.pushdeploy.local.stack.PipelineTemplate;
import dev.pushdeploy.ops.CloudFormation;
import dev.pushdeploy.ops.Connection;
import dev.pushdeploy.ops.Operator;
import dev.pushdeploy.ops.Reports;
import dev.pushdeploy.model.QuickRetry;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.services.ecr.model.TargetStorageClass;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionField;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The real ASL in moto, the template's functions in process, ECS simulated: whole runs and the state they leave. */
class WorkflowIT {
    static final String ROLLBACK_PREVIOUS = "{\"action\":\"rollback\",\"service\":\"pushdeploy/web\",\"to\":\"previous\"}";

    Workflow workflow;
    boolean stackCreated;

    @BeforeEach
    void freshStack() {
        workflow = new Workflow(TestRuntime.fresh());
    }

    /** {@code pushdeploy status} of the service, against the stack as the local daemon describes it. */
    private Reports.Status status() {
        Connection connection = Connection.emulator(workflow.runtime.endpoint(), Clients.REGION, "local", "local");
        if (!stackCreated) {
            new CloudFormation(connection).createStack(PipelineTemplate.STACK_NAME, LocalDaemon.template(workflow.runtime.stack()));
            stackCreated = true;
        }
        return Operator.connect(connection, PipelineTemplate.STACK_NAME).status(workflow.web.target());
    }

    @ParameterizedTest
    @CsvSource({
        "healthy, SUCCEEDED, true",
        "slow-start, SUCCEEDED, true",
        "crash-loop, ROLLED_BACK, false",
        "unhealthy-targets, ROLLED_BACK, false",
        "bad-smoke, ROLLED_BACK, false"})
    void eachScenarioEndsAsItShould(String scenario, String outcome, boolean newRevisionLive) {
        String initial = workflow.web.initialTaskDefinition();
        RunResult result = workflow.push("v1.1.0", Scenario.fromCliName(scenario));

        assertEquals(outcome, result.outcome(), result.reason());
        assertEquals("pushdeploy/web", result.service());
        assertEquals(initial, result.previousTaskDefinition());
        assertEquals(workflow.liveTaskDefinition(), result.taskDefinition());
        if (newRevisionLive) {
            assertNotEquals(initial, result.taskDefinition());
            assertEquals(result.image(), workflow.liveImage());
        } else {
            assertEquals(initial, result.taskDefinition());
            assertEquals(workflow.web.repositoryUri() + "@" + workflow.web.initialDigest(), workflow.liveImage());
        }
        assertTrue(result.awsWrites() > 0);
        assertFalse(workflow.lockHeld(), "lock released");
        assertEquals(outcome, workflow.historyOf(result).get("outcome").s());
        assertEquals(List.of(outcome), workflow.notifiedOutcomes());
    }

    @Test
    void whenTheWayBackFailsToTheOutcomeIsRollbackFailed() {
        RunResult result = workflow.push("v1.1.0", Scenario.ROLLBACK_FAILS);
        assertEquals("ROLLBACK_FAILED", result.outcome(), result.reason());
        assertEquals(4, result.exitCode());
        assertFalse(workflow.lockHeld(), "lock released");
        assertEquals("ROLLBACK_FAILED", workflow.historyOf(result).get("outcome").s());
        assertEquals(List.of("ROLLBACK_FAILED"), workflow.notifiedOutcomes());
        String forward = workflow.historyOf(result).get("reason").s();
        String back = result.taskDefinition().substring(result.taskDefinition().lastIndexOf('/') + 1);
        assertTrue(forward.matches("\\d tasks of web:\\d+ exited .*") && !forward.contains(back + ")"), forward);
        assertTrue(result.reason().startsWith("rollback to " + back + " failed: 2 tasks of " + back + " exited "),
                "the execution's cause says what the way back ran into first: " + result.reason());
        assertTrue(result.reason().endsWith("rolled back because: " + forward), result.reason());
    }

    /**
     * An operator deregistered the live revision (clean-up scripts deregister all but the newest N, live ones included,
     * as ECS lets a service go on running one), then a deploy failed: ECS refuses to move a service back to an INACTIVE
     * revision, so the way back is a copy of its definition and the service ends on it, the old image and secrets live,
     * the run ROLLED_BACK. Deleted as well (DeleteTaskDefinitions), the revision is described only while the service
     * uses it: here the rollout completes, its tasks replace the old ones, ECS lets go of the original, and then the
     * smoke check fails; the copy RegisterTaskDefinition kept while the revision was live is the way back (before, the run
     * ended ROLLBACK_FAILED on the failing revision).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aDeployWhoseWayBackWasDeregisteredRollsBackOntoACopyOfIt(boolean deleted) {
        String initial = workflow.web.initialTaskDefinition();
        String initialImage = workflow.liveImage();
        EcsClient ecs = workflow.runtime.clients().build(EcsClient.builder());
        var before = ecs.describeTaskDefinition(r -> r.taskDefinition(initial)).taskDefinition();
        ecs.deregisterTaskDefinition(r -> r.taskDefinition(initial));
        if (deleted) {
            ecs.deleteTaskDefinitions(r -> r.taskDefinitions(initial));
        }
        assertEquals(deleted ? "DELETE_IN_PROGRESS" : "INACTIVE", status().live().revisionStatus(), "pushdeploy status says so");

        RunResult result = workflow.push("v1.1.0", deleted ? Scenario.BAD_SMOKE : Scenario.CRASH_LOOP);

        assertEquals("ROLLED_BACK", result.outcome(), result.reason());
        if (deleted) {
            EcsException gone = assertThrows(EcsException.class, () -> ecs.describeTaskDefinition(r -> r.taskDefinition(initial)));
            assertEquals("ClientException", gone.awsErrorDetails().errorCode(), "ECS deleted the original once the service left it");
        }
        String copy = workflow.liveTaskDefinition();
        assertNotEquals(initial, copy);
        assertEquals(copy, result.taskDefinition());
        assertEquals(initialImage, workflow.liveImage());
        var after = ecs.describeTaskDefinition(r -> r.taskDefinition(copy).include(TaskDefinitionField.TAGS));
        assertEquals("ACTIVE", after.taskDefinition().statusAsString());
        assertEquals(before.containerDefinitions(), after.taskDefinition().containerDefinitions(), "the same containers, secrets included");
        assertTrue(after.tags().stream().anyMatch(t -> t.key().equals("pushdeploy:copy-of") && t.value().equals(initial)), after.tags().toString());
        assertFalse(workflow.lockHeld(), "lock released");
        var record = workflow.historyOf(result);
        assertEquals("ROLLED_BACK", record.get("outcome").s());
        assertTrue(record.get("rollback").s().contains("registered again: it had been deregistered"), record.get("rollback").s());
        assertEquals(List.of("ROLLED_BACK"), workflow.notifiedOutcomes());
        Reports.Live live = status().live();
        assertEquals(copy, live.taskDefinition());
        assertEquals(initial, live.copyOf(), "pushdeploy status says which revision the live one stands for");
        assertEquals("ACTIVE", live.revisionStatus());
    }

    /**
     * An operator rolls back by name to a revision deregistered meanwhile (keep-N prunes old ones): it goes to a copy. The
     * move to the copy is throttled through the SDK's retries and the state machine retries the step: still one copy.
     */
    @Test
    void aManualRollbackToADeregisteredRevisionGoesToACopyOfIt() {
        String initial = workflow.web.initialTaskDefinition();
        String initialImage = workflow.liveImage();
        RunResult deployed = workflow.push("v1.1.0", Scenario.HEALTHY);
        assertEquals("SUCCEEDED", deployed.outcome(), deployed.reason());
        EcsClient ecs = workflow.runtime.clients().build(EcsClient.builder());
        ecs.deregisterTaskDefinition(r -> r.taskDefinition(initial));
        List<String> before = ecs.listTaskDefinitions(r -> r.familyPrefix("web")).taskDefinitionArns();
        workflow.runtime.simulator().throttling(Throttling.outage("UpdateService", 1, 2));

        RunResult back = workflow.run("{\"action\":\"rollback\",\"service\":\"pushdeploy/web\",\"to\":\"" + initial + "\"}",
                Scenario.HEALTHY);

        assertEquals("SUCCEEDED", back.outcome(), back.reason());
        assertEquals(List.of("dev.pushdeploy.error.TransientException", "dev.pushdeploy.error.TransientException"),
                Workflow.failedInvocations(back), "the move to the copy, then the retry's first move, stayed throttled");
        String copy = workflow.liveTaskDefinition();
        assertNotEquals(initial, copy);
        assertEquals(initialImage, workflow.liveImage());
        var tags = ecs.describeTaskDefinition(r -> r.taskDefinition(copy).include(TaskDefinitionField.TAGS)).tags();
        assertTrue(tags.stream().anyMatch(t -> t.key().equals("pushdeploy:copy-of") && t.value().equals(initial)), tags.toString());
        List<String> registered = new java.util.ArrayList<>(ecs.listTaskDefinitions(r -> r.familyPrefix("web")).taskDefinitionArns());
        registered.removeAll(before);
        assertEquals(List.of(copy), registered, "one copy for three attempts");
        assertFalse(workflow.lockHeld(), "lock released");
    }

    /**
     * The image of the revision a rollback goes to is no longer in ECR (deleted by hand, or expired by the repository's
     * lifecycle policy): no task of it could start, so the rollback is refused before anything changes.
     */
    @Test
    void aRollbackToARevisionWhoseImageEcrNoLongerHoldsIsRejectedWithoutASingleWrite() {
        TwoReleases releases = twoReleases();
        workflow.expireImage(workflow.digestOf("v1.1.0"));
        int starts = workflow.runtime.simulator().deploymentStarts().size();

        RunResult back = workflow.run(ROLLBACK_PREVIOUS, Scenario.HEALTHY);

        assertRejectedForTheGoneImage(back, releases.previousImage(), releases.live(), starts);
        assertTrue(back.reason().contains(dev.pushdeploy.model.Revisions.shortName(releases.previous())), back.reason());
    }

    /**
     * ECR's archive (a lifecycle policy's transition, or UpdateImageStorageClass): an archived image cannot be pulled, so
     * a rollback to it is refused until it is restored, and then goes through.
     */
    @Test
    void aRollbackToAnArchivedImageIsRejectedUntilItIsRestored() {
        TwoReleases releases = twoReleases();
        String digest = workflow.digestOf("v1.1.0");
        workflow.storageClass(digest, TargetStorageClass.ARCHIVE);
        int starts = workflow.runtime.simulator().deploymentStarts().size();

        RunResult refused = workflow.run(ROLLBACK_PREVIOUS, Scenario.HEALTHY);

        assertEquals("REJECTED", refused.outcome(), refused.reason());
        assertTrue(refused.reason().contains(releases.previousImage() + ", which ECR has archived (ARCHIVED"), refused.reason());
        assertEquals(List.of(), refused.writes());
        assertEquals(starts, workflow.runtime.simulator().deploymentStarts().size());
        assertEquals(releases.live(), workflow.liveTaskDefinition());

        workflow.storageClass(digest, TargetStorageClass.STANDARD);
        RunResult back = workflow.run(ROLLBACK_PREVIOUS, Scenario.HEALTHY);

        assertEquals("SUCCEEDED", back.outcome(), back.reason());
        assertEquals(releases.previous(), workflow.liveTaskDefinition());
        assertFalse(workflow.lockHeld(), "lock free");
    }

    /**
     * An operator deleted the secret-slot parameter the previous revision reads: a rollback to it is refused before
     * anything changes, naming the parameter (ECS would stop every task of it unable to pull its secrets).
     */
    @Test
    void aRollbackToARevisionWhoseSecretParameterWasDeletedIsRejectedBeforeAnyChange() {
        TwoReleases releases = twoReleases();
        String slot = workflow.secretParameter(releases.previous(), "APP_SIGNING_KEY");
        assertNotEquals(slot, workflow.secretParameter(releases.live(), "APP_SIGNING_KEY"), "the two releases read two slots");
        workflow.ssm().deleteParameter(r -> r.name(slot));
        int starts = workflow.runtime.simulator().deploymentStarts().size();

        RunResult back = workflow.run(ROLLBACK_PREVIOUS, Scenario.HEALTHY);

        assertEquals("REJECTED", back.outcome(), back.reason());
        assertEquals("to: " + Revisions.shortName(releases.previous()) + " reads its secrets from " + slot + ", which Parameter Store"
                + " no longer holds (deleted): no task of " + Revisions.shortName(releases.previous()) + " could start; roll back to"
                + " another revision, or deploy an image", back.reason());
        assertEquals(starts, workflow.runtime.simulator().deploymentStarts().size(), "no deployment started");
        assertEquals(releases.live(), workflow.liveTaskDefinition());
        assertFalse(workflow.lockHeld(), "lock free");
    }

    /**
     * Deleted once the rollback was prepared: it starts, its tasks fail to start (ECS's "ResourceInitializationError: …
     * invalid ssm parameters: <name>"), the verdict takes the first stopped task as proof, and the run goes back onto
     * the live revision: ROLLED_BACK, naming the parameter.
     */
    @Test
    void aRollbackWhoseSecretParameterIsDeletedAfterItWasPreparedGoesBackAtItsFirstStoppedTask() throws Exception {
        TwoReleases releases = twoReleases();
        String slot = workflow.secretParameter(releases.previous(), "APP_SIGNING_KEY");
        LambdaRuntime.Hold lock = workflow.runtime.lambdas().hold("LockFunction", workflow.runtime.lambdas().invocations("LockFunction") + 1);
        LocalRuntime.Run run = workflow.start(ROLLBACK_PREVIOUS, Scenario.HEALTHY, "back");
        assertTrue(lock.awaitArrival(Duration.ofMinutes(2)), "prepared; its Lock step is held");
        workflow.ssm().deleteParameter(r -> r.name(slot));
        lock.release();

        RunResult back = run.await();

        assertEquals("ROLLED_BACK", back.outcome(), back.reason());
        assertTrue(back.reason().contains("secret or parameter not found") && back.reason().contains("invalid ssm parameters: " + slot),
                back.reason());
        assertEquals(releases.live(), workflow.liveTaskDefinition());
        assertFalse(workflow.lockHeld(), "lock free");
    }

    /** A rotation starts new tasks of the live image: with that image gone from ECR it is refused before anything changes. */
    @Test
    void aRotationWhoseLiveImageEcrNoLongerHoldsIsRejectedWithoutASingleWrite() {
        assertEquals("SUCCEEDED", workflow.push("v1.1.0", Scenario.HEALTHY).outcome());
        String live = workflow.liveTaskDefinition();
        String gone = workflow.liveImage();
        assertEquals("ACTIVE", status().live().imageStatus(), "the live image, before");
        workflow.expireImage(workflow.digestOf("v1.1.0"));
        assertEquals("NOT_IN_ECR", status().live().imageStatus(), "pushdeploy status says the live image is no longer in ECR");
        int starts = workflow.runtime.simulator().deploymentStarts().size();

        RunResult rotate = workflow.run("{\"action\":\"rotate\",\"service\":\"pushdeploy/web\"}", Scenario.HEALTHY);

        assertRejectedForTheGoneImage(rotate, gone, live, starts);
    }

    /** Two healthy releases pushed: v1.1.0 (previous, its revision and image), then v1.2.0 (live). */
    private TwoReleases twoReleases() {
        assertEquals("SUCCEEDED", workflow.push("v1.1.0", Scenario.HEALTHY).outcome());
        String previous = workflow.liveTaskDefinition();
        String previousImage = workflow.liveImage();
        assertEquals("SUCCEEDED", workflow.push("v1.2.0", Scenario.HEALTHY).outcome());
        return new TwoReleases(previous, previousImage, workflow.liveTaskDefinition());
    }

    private record TwoReleases(String previous, String previousImage, String live) {
    }

    /** REJECTED naming the image ECR no longer holds, before any write: no deployment started, the service where it was, the lock free. */
    private void assertRejectedForTheGoneImage(RunResult result, String gone, String live, int starts) {
        assertEquals("REJECTED", result.outcome(), result.reason());
        assertTrue(result.reason().contains(gone) && result.reason().contains("ECR no longer holds"), result.reason());
        assertEquals(List.of(), result.writes());
        assertEquals(starts, workflow.runtime.simulator().deploymentStarts().size());
        assertEquals(live, workflow.liveTaskDefinition());
        assertFalse(workflow.lockHeld(), "lock free");
    }

    /** An image pushed with `local push --fate rollback-fails`, whatever the run's scenario: its way back fails too. */
    @Test
    void anImageWhoseWayBackFailsEndsRollbackFailedUnderAHealthyRun() {
        String event = workflow.pushEvent("v1.1.0");
        workflow.runtime.simulator().imageScenario(Json.tree(event).path("detail").path("image-digest").asText(),
                Scenario.ROLLBACK_FAILS);
        RunResult result = workflow.runtime.start(event, Scenario.HEALTHY, null, line -> { }).await();

        assertEquals("ROLLBACK_FAILED", result.outcome(), result.reason());
        assertFalse(workflow.lockHeld(), "lock released");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"action\": \"deploy\", \"service\": \"pushdeploy/web\", \"image\": \"web@sha256:not-a-digest\"}",
        "{\"action\": \"deploy\", \"service\": \"pushdeploy/api\", \"image\": \"web:v1.0.0\"}",
        "{\"action\": \"launch\", \"service\": \"pushdeploy/web\"}",
        "{\"action\": \"deploy\", \"image\": \"web:v1.0.0\", \"reason\": \"%s\"}",
        "[\"deploy\"]"})
    void badManualInputIsRejectedWithoutASingleWrite(String input) {
        RunResult result = workflow.run(input.formatted("x".repeat(100_000)), Scenario.HEALTHY);
        assertEquals("REJECTED", result.outcome(), result.reason());
        assertEquals(2, result.exitCode());
        assertEquals(List.of(), result.writes());
        assertEquals(List.of(), workflow.history());
        assertEquals(List.of(), workflow.runtime.simulator().deploymentStarts());
    }

    /**
     * A deployment alarm deleted after the stack was deployed (or misnamed in DeploymentAlarmNames): the push is refused by
     * Prepare, naming the alarm, before anything changes, instead of a rollout judged without it.
     */
    @Test
    void aPushWhoseDeploymentAlarmNoLongerExistsIsRejectedWithoutASingleWrite() {
        String alarm = workflow.web.target().health().alarms().get(0);
        workflow.cloudWatch().deleteAlarms(r -> r.alarmNames(alarm));

        RunResult result = workflow.push("v1.1.0", Scenario.HEALTHY);

        assertEquals("REJECTED", result.outcome(), result.reason());
        assertTrue(result.reason().contains("CloudWatch has no alarm " + alarm + " "), result.reason());
        assertEquals(List.of(), result.writes());
        assertEquals(List.of(), workflow.history());
        assertEquals(List.of(), workflow.runtime.simulator().deploymentStarts());
    }

    /**
     * The image a revision went live on carries that revision's keep tag, which the repository's lifecycle policy never
     * expires; the retag is a push ECR reports, and the push rule lets it start nothing.
     */
    @Test
    void theLiveImageIsKeptFromTheLifecyclePolicyAndItsRetagStartsNothing() {
        RunResult result = workflow.push("v1.1.0", Scenario.HEALTHY);
        assertEquals("SUCCEEDED", result.outcome(), result.reason());

        String digest = result.image().substring(result.image().indexOf('@') + 1);
        String keep = KeptImages.tag(Revisions.family(result.taskDefinition()), Revisions.revision(result.taskDefinition()));
        assertEquals(List.of(keep, "v1.1.0"), workflow.tagsOf(digest).stream().sorted().toList());
        List<LocalEventBus.Published> retags = workflow.runtime.bus().published().stream()
                .filter(p -> keep.equals(p.event().path("detail").path("image-tag").asText())).toList();
        assertEquals(1, retags.size(), "ECR reported the retag as a push");
        assertEquals(List.of(), retags.get(0).rules(), "no rule took the keep tag's push");
        assertEquals(1, workflow.runtime.simulator().deploymentStarts().size());
    }

    @Test
    void aDuplicateEcrEventIsIgnored() {
        String event = workflow.pushEvent("v1.1.0");
        assertEquals("SUCCEEDED", workflow.run(event, Scenario.HEALTHY).outcome());
        String live = workflow.liveTaskDefinition();

        RunResult duplicate = workflow.run(event.replaceFirst("\"id\":\"[^\"]+\"", "\"id\":\"another-delivery\""), Scenario.HEALTHY);
        assertEquals("IGNORED", duplicate.outcome(), duplicate.reason());
        assertEquals(0, duplicate.exitCode());
        assertEquals(live, workflow.liveTaskDefinition());
        assertEquals(1, workflow.runtime.simulator().deploymentStarts().size());
    }

    @Test
    void pushesForOneServiceDeployOneAtATimeAndTheNewestWins() throws InterruptedException {
        String slowFirst = workflow.pushEvent("v1.1.0");
        workflow.runtime.simulator().imageScenario(Json.tree(slowFirst).path("detail").path("image-digest").asText(),
                Scenario.SLOW_START);
        LocalRuntime.Run first;
        LocalRuntime.Run second;
        LocalRuntime.Run third;
        try (var wallPace = workflow.runtime.holdTime()) {
            first = workflow.runtime.start(slowFirst, Scenario.HEALTHY, null, line -> { });
            long deadline = System.currentTimeMillis() + 30_000;
            while (!workflow.lockHeld() && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            second = workflow.start("v1.2.0", Scenario.HEALTHY);
            Thread.sleep(1100);
            third = workflow.start("v1.3.0", Scenario.HEALTHY);
            deadline = System.currentTimeMillis() + 30_000;
            int queued = workflow.waiters();
            while (queued < 2 && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
                queued = workflow.waiters();
            }
            assertEquals(2, queued, "both later pushes queue while the first rolls out (time held to the wall clock's pace)");
        }

        RunResult r1 = first.await();
        RunResult r2 = second.await();
        RunResult r3 = third.await();
        assertEquals("SUCCEEDED", r1.outcome(), r1.reason());
        assertEquals("SUPERSEDED", r2.outcome(), r2.reason());
        assertEquals(5, r2.exitCode());
        assertEquals("SUCCEEDED", r3.outcome(), r3.reason());
        assertEquals(r3.image(), workflow.liveImage());
        List<DeploymentStart> starts = workflow.runtime.simulator().deploymentStarts();
        assertEquals(2, starts.size());
        assertTrue(starts.stream().allMatch(s -> s.replacedRolloutState().equals("COMPLETED")), starts.toString());
        assertFalse(workflow.lockHeld());
    }

    @Test
    void throttlingOnEveryEcsCallIsAbsorbed() {
        workflow.runtime.simulator().throttling(new Throttling(1, 6));
        RunResult result = workflow.push("v1.1.0", Scenario.HEALTHY);
        assertEquals("SUCCEEDED", result.outcome(), result.reason());
        assertTrue(workflow.runtime.simulator().throttling().throttled() > 10);
        assertTrue(Workflow.failedInvocations(result).contains("dev.pushdeploy.error.TransientException"),
                "some call stayed throttled through the SDK's retries and the state machine retried the step");
        assertEquals(result.image(), workflow.liveImage());
    }

    @Test
    void aThrottleThatOutlivesTheChecksRetriesIsWatchedThrough() {
        int attempts = 7;
        workflow.runtime.simulator().throttling(Throttling.outage("ListTasks", attempts));
        RunResult result = workflow.push("v1.1.0", Scenario.HEALTHY);

        assertEquals("SUCCEEDED", result.outcome(), result.reason());
        assertEquals(java.util.Collections.nCopies(attempts, "dev.pushdeploy.error.TransientException"),
                Workflow.failedInvocations(result), "every attempt of CheckDeployment failed");
        assertEquals(List.of("CheckDeployment", "WaitForRollout"), entered(result).subList(
                entered(result).indexOf("CheckDeployment"), entered(result).indexOf("CheckDeployment") + 2));
        assertEquals(result.image(), workflow.liveImage());
    }

    /**
     * CheckDeployment's reads of the tasks stall (the endpoint takes the request and does not answer) in each of the
     * attempts Lambda's timeout would end: each look ends as a transient error before the function's timeout, which
     * the step's Retry answers, and the deploy succeeds. Had the function run into its timeout (Sandbox.Timedout),
     * the Retry on States.ALL would have tried twice more and the Catch rolled the healthy deploy back. The function's
     * timeout is lowered to 8 s so that three stalls take seconds.
     */
    @Test
    void aWatchWhoseReadsStallPastTheFunctionsTimeoutIsRetriedNotRolledBack() throws Exception {
        FunctionSpec check = workflow.runtime.lambdas().functions().stream()
                .filter(f -> f.name().equals("CheckDeploymentFunction")).findFirst().orElseThrow();
        workflow.runtime.lambdas().deploy(new FunctionSpec(check.name(), check.handler(), check.environment(), 8, check.memoryMb()));
        String name = "stalled-reads";
        List<CallHold> stalls = java.util.stream.IntStream.range(0, 3).mapToObj(i -> workflow.runtime.holdCall(
                r -> name.equals(r.header(ExecutionScope.HEADER)) && r.operation().equals("ListTasks"))).toList();
        long start = System.nanoTime();
        RunResult result;
        try {
            result = workflow.start(workflow.pushEvent("v1.1.0"), Scenario.HEALTHY, name).await();
        } finally {
            stalls.forEach(CallHold::release);
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000;

        assertEquals("SUCCEEDED", result.outcome(), result.reason() + "; failed invocations " + Workflow.failedInvocations(result));
        assertEquals(java.util.Collections.nCopies(3, "dev.pushdeploy.error.TransientException"), Workflow.failedInvocations(result),
                "each stalled look ended as a transient error, not as the function's timeout");
        for (CallHold stall : stalls) {
            assertTrue(stall.awaitArrival(Duration.ZERO), "every stall was met");
        }
        assertEquals(result.image(), workflow.liveImage());
        assertTrue(seconds < 60, "took " + seconds + " s");
    }

    /**
     * The shortest rollout ends while CheckDeployment is throttled through all its attempts, so ECS's final events come
     * before the watch is registered, and the watch's own looks are throttled too, all but the last its Retry allows
     * (ListTasks' first 7 + 6 calls): the watch task is retried within seconds (its Retry's jittered backoff) until it
     * sees the end, not left waiting for the recheck, 300 s later.
     */
    @Test
    void aWatchThatCannotLookIsRetriedWithinSecondsNotAtTheRecheck() {
        workflow.runtime.simulator().rolloutSeconds(2);
        workflow.runtime.simulator().throttling(Throttling.outage("ListTasks", 7 + QuickRetry.RETRIES));
        RunResult result = workflow.push("v1.1.0", Scenario.HEALTHY);

        assertEquals("SUCCEEDED", result.outcome(), result.reason());
        List<JsonNode> failed = new java.util.ArrayList<>();
        double healthyAt = Double.NaN;
        for (JsonNode event : result.history()) {
            if (event.path("type").asText().equals("TaskFailed")) {
                failed.add(event);
            }
            if (Double.isNaN(healthyAt) && event.path("type").asText().equals("TaskSucceeded")
                    && event.path("taskSucceededEventDetails").path("output").asText().contains("\"verdict\": \"HEALTHY\"")) {
                healthyAt = event.path("timestamp").asDouble();
            }
        }
        assertEquals(QuickRetry.RETRIES, failed.size(), "the watch's looks ended its task each time: " + failed);
        failed.forEach(f -> assertEquals("dev.pushdeploy.error.TransientException",
                f.path("taskFailedEventDetails").path("error").asText()));
        double waited = healthyAt - failed.get(0).path("timestamp").asDouble();
        assertTrue(waited < 60, "the verdict came " + waited + " s (simulated) after the first look that could not see the service");
        assertEquals(result.image(), workflow.liveImage());
    }

    /**
     * Under the shortest deadline a rollout's watch allows (its first recheck, 300 s, finds it passed), so that the run
     * makes the fewest looks, each throttled through the SDK's retries in real time.
     */
    @Test
    void aThrottleThatNeverClearsEndsByTheDeadlineNotByTheError() {
        workflow.runtime.reset(java.util.Map.of("DeploymentDeadlineSeconds", Integer.toString(Rollout.MIN_RECHECK_SECONDS)));
        workflow.runtime.simulator().throttling(Throttling.outage("ListTasks", Integer.MAX_VALUE));
        RunResult result = workflow.push("v1.1.0", Scenario.HEALTHY);

        var recorded = workflow.historyOf(result);
        String reason = recorded.get("reason").s();
        assertTrue(reason.startsWith("not healthy " + Rollout.MIN_RECHECK_SECONDS + " s after the start (deadline passed): the service could not be observed: "
                + "ecs:ListTasks"), recorded + " " + entered(result));
        assertFalse(recorded.containsKey("error"), "ended by the verdict, not by the error: " + recorded);
        assertEquals("ROLLBACK_FAILED", result.outcome(), "the way back cannot be seen healthy either: " + recorded);
        assertTrue(recorded.get("rollback").s().contains("deadline passed"), recorded.get("rollback").s());
        assertFalse(workflow.lockHeld(), "lock released");
    }

    private static List<String> entered(RunResult result) {
        List<String> states = new java.util.ArrayList<>();
        result.history().forEach(e -> {
            if (e.path("type").asText().endsWith("StateEntered")) {
                states.add(e.path("stateEnteredEventDetails").path("name").asText());
            }
        });
        return states;
    }

    @ParameterizedTest
    @CsvSource({
        "PrepareFunction, healthy, SUCCEEDED",
        "LockFunction, healthy, SUCCEEDED",
        "RotateSecretsFunction, healthy, SUCCEEDED",
        "RegisterTaskDefinitionFunction, healthy, SUCCEEDED",
        "StartDeploymentFunction, healthy, SUCCEEDED",
        "CheckDeploymentFunction, healthy, SUCCEEDED",
        "RollbackFunction, crash-loop, ROLLED_BACK",
        "FinalizeFunction, healthy, SUCCEEDED"})
    void aCrashInsideAnyStepStillEndsCleanly(String function, String scenario, String outcome) {
        workflow.runtime.lambdas().inject(Fault.crashAfter(function, 1));
        RunResult result = workflow.push("v1.1.0", Scenario.fromCliName(scenario));

        assertEquals(outcome, result.outcome(), result.reason());
        assertTrue(Workflow.failedInvocations(result).contains("java.lang.RuntimeException"), "the fault happened");
        assertFalse(workflow.lockHeld(), "lock released");
        assertEquals(outcome, workflow.historyOf(result).get("outcome").s());
        assertEquals(1, workflow.history().size());
        assertEquals(List.of(outcome), workflow.notifiedOutcomes());
    }
}
