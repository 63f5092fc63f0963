package dev.pushdeploy.handler;

import static dev.pushdeploy.rollout.RolloutFixtures.NOW;
import static dev.pushdeploy.rollout.RolloutFixtures.REV1_ARN;
import static dev.pushdeploy.rollout.RolloutFixtures.REV2_ARN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.error.RunInterruptedException;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.rollout.Deployment;
import dev.pushdeploy.config.Strategy;
import dev.pushdeploy.rollout.FakeEcsServices;
import dev.pushdeploy.release.InMemoryTaskDefinitions;
import dev.pushdeploy.rollout.FakeServiceDeployments;
import dev.pushdeploy.rollout.ServiceDeploymentState;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.rollout.RolloutFixtures;
import dev.pushdeploy.model.Verdict;
import java.util.List;
import java.util.Map;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.model.TaskDefinition;
import dev.pushdeploy.release.RevisionChange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RollbackHandlerTest {
    private static final CheckResult FAILED = new CheckResult(Verdict.FAILED,
            "task abc (web:2) stopped [EssentialContainerExited]: Essential container in task exited; container app exit code 1",
            0, 0, 2, 1);

    private static Rollout rollback(FakeEcsServices ecs, DeployRequest request, Rollout rollout, List<String> lines) {
        return rollback(ecs, new FakeServiceDeployments(), request, rollout, lines);
    }

    private static Rollout rollback(FakeEcsServices ecs, FakeServiceDeployments deployments, DeployRequest request,
                                    Rollout rollout, List<String> lines) {
        return rollback(ecs, deployments, new InMemoryTaskDefinitions(), request, rollout, lines);
    }

    private static Rollout rollback(FakeEcsServices ecs, FakeServiceDeployments deployments, InMemoryTaskDefinitions revisions,
                                    DeployRequest request, Rollout rollout, List<String> lines) {
        return new RollbackHandler(ecs, deployments, revisions, anyRequest -> true, RolloutFixtures.clockAt(NOW.plusSeconds(120)))
                .apply(new RollbackHandler.Input(request, rollout, FAILED, null), RolloutFixtures.log(lines));
    }

    /** web:1 (live before the request, on slot a) and web:2 (the request's, on slot b), ECS refusing the INACTIVE ones. */
    private static InMemoryTaskDefinitions twoRevisions(FakeEcsServices ecs) {
        InMemoryTaskDefinitions revisions = new InMemoryTaskDefinitions();
        assertEquals(REV1_ARN, revisions.add("web", "app", "web@sha256:" + "1".repeat(64), Map.of("APP_KEY", "/pushdeploy/web/app-key/a")));
        assertEquals(REV2_ARN, revisions.add("web", "app", "web@sha256:" + "2".repeat(64), Map.of("APP_KEY", "/pushdeploy/web/app-key/b")));
        ecs.inactive = arn -> revisions.find(arn).filter(td -> !td.active()).isPresent();
        return revisions;
    }

    /**
     * An operator deregistered the revision live before the request (a clean-up script): ECS refuses to move the service
     * back to it, so its definition is registered again and the service goes back to that copy: same image, same slots.
     */
    @Test
    void aRevisionDeregisteredSinceItWasLiveIsRegisteredAgainAndTheServiceGoesBackToTheCopy() {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, true);
        InMemoryTaskDefinitions revisions = twoRevisions(ecs);
        Rollout rollout = started(ecs);
        revisions.deregister(REV1_ARN);
        List<String> lines = RolloutFixtures.lines();

        Rollout back = rollback(ecs, new FakeServiceDeployments(), revisions, RolloutFixtures.request(REV1_ARN, 600), rollout, lines);

        String copy = InMemoryTaskDefinitions.arn("web", 3);
        assertEquals(copy, ecs.taskDefinition());
        assertEquals(copy, back.taskDefinition());
        assertEquals(REV1_ARN, back.copyOf());
        assertTrue(back.started() && back.movesTo(REV1_ARN));
        assertEquals(ecs.deployments().get(0).id(), back.deploymentId());
        TaskDefinition registered = revisions.find(copy).orElseThrow();
        TaskDefinition original = revisions.find(REV1_ARN).orElseThrow();
        assertEquals(original.containers(), registered.containers(), "the same image and secret slots");
        assertEquals(REV1_ARN, registered.tags().get(RevisionChange.TAG_COPY_OF));
        assertEquals(1, revisions.registrations.size());
        assertTrue(lines.stream().anyMatch(l -> l.contains("was deregistered") && l.contains("TaskDefinition is inactive")), lines.toString());

        Rollout retry = rollback(ecs, new FakeServiceDeployments(), revisions, RolloutFixtures.request(REV1_ARN, 600), rollout,
                RolloutFixtures.lines());
        assertFalse(retry.started(), "a retry finds the service on the copy");
        assertEquals(copy, retry.taskDefinition());
        assertEquals(REV1_ARN, retry.copyOf());
        assertEquals(1, revisions.registrations.size(), "and registers no second copy");
        assertEquals(2, ecs.updates);
    }

    /**
     * The revision live before the request was deleted (DeleteTaskDefinitions) and ECS let go of it once the rollout
     * drained its tasks: it is no longer described, so the way back is the copy RegisterTaskDefinition kept while it was
     * live. Without that copy the rollback fails with ECS's refusal, registering nothing it could not describe.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aDeletedRevisionGoesBackToTheCopyKeptWhileItWasLive(boolean kept) {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, true);
        InMemoryTaskDefinitions revisions = twoRevisions(ecs);
        ecs.inactive = arn -> revisions.find(arn).map(td -> !td.active()).orElse(true);
        revisions.deregister(REV1_ARN);
        if (kept) {
            revisions.register(RevisionChange.copyOf(revisions.find(REV1_ARN).orElseThrow()));
            revisions.add("web", "app", "web@sha256:" + "4".repeat(64), Map.of());
        }
        Rollout rollout = started(ecs);
        revisions.forget(REV1_ARN);
        int registered = revisions.registrations.size();

        if (!kept) {
            AwsFailureException e = assertThrows(AwsFailureException.class, () -> rollback(ecs, new FakeServiceDeployments(), revisions,
                    RolloutFixtures.request(REV1_ARN, 600), rollout, RolloutFixtures.lines()));
            assertTrue(e.getMessage().contains("TaskDefinition is inactive"), e.getMessage());
            assertEquals(REV2_ARN, ecs.taskDefinition());
            assertEquals(registered, revisions.registrations.size());
            return;
        }
        Rollout back = rollback(ecs, new FakeServiceDeployments(), revisions, RolloutFixtures.request(REV1_ARN, 600), rollout,
                RolloutFixtures.lines());

        String copy = InMemoryTaskDefinitions.arn("web", 3);
        assertEquals(copy, ecs.taskDefinition());
        assertEquals(copy, back.taskDefinition());
        assertEquals(REV1_ARN, back.copyOf());
        assertEquals(registered, revisions.registrations.size(), "no copy registered now");
    }

    /** Any other refusal is the rollback's failure, as before: nothing is registered. */
    @Test
    void anUpdateRefusedForAnActiveRevisionFailsTheRollbackAndRegistersNothing() {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, true);
        InMemoryTaskDefinitions revisions = twoRevisions(ecs);
        Rollout rollout = started(ecs);
        ecs.inactive = REV1_ARN::equals;

        AwsFailureException e = assertThrows(AwsFailureException.class, () -> rollback(ecs, new FakeServiceDeployments(), revisions,
                RolloutFixtures.request(REV1_ARN, 600), rollout, RolloutFixtures.lines()));

        assertTrue(e.getMessage().contains("TaskDefinition is inactive"), e.getMessage());
        assertEquals(List.of(), revisions.registrations);
        assertEquals(REV2_ARN, ecs.taskDefinition());
    }

    /** A service deleted during the run is not rolled back: the run is interrupted, saying so (before: the rollback failed). */
    @Test
    void aServiceDeletedDuringTheRunInterruptsItsWayBack() {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, true);
        InMemoryTaskDefinitions revisions = twoRevisions(ecs);
        Rollout rollout = started(ecs);
        ecs.delete();

        RunInterruptedException e = assertThrows(RunInterruptedException.class, () -> rollback(ecs, new FakeServiceDeployments(),
                revisions, RolloutFixtures.request(REV1_ARN, 600), rollout, RolloutFixtures.lines()));

        assertTrue(e.getMessage().contains("no longer exists or is not ACTIVE"), e.getMessage());
    }

    /** A service someone else moved to a third revision is still left alone when the revision to go back to was deregistered. */
    @Test
    void aServiceMovedElsewhereIsLeftAloneAlthoughTheWayBackWasDeregistered() {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, true);
        InMemoryTaskDefinitions revisions = twoRevisions(ecs);
        Rollout rollout = started(ecs);
        String third = revisions.add("web", "app", "web@sha256:" + "3".repeat(64), Map.of());
        ecs.update("pushdeploy", "web", third);
        revisions.deregister(REV1_ARN);

        assertThrows(RunInterruptedException.class, () -> rollback(ecs, new FakeServiceDeployments(), revisions,
                RolloutFixtures.request(REV1_ARN, 600), rollout, RolloutFixtures.lines()));

        assertEquals(third, ecs.taskDefinition());
        assertEquals(List.of(), revisions.registrations.stream().filter(c -> c.tags().containsKey(RevisionChange.TAG_COPY_OF)).toList());
    }

    private static Rollout started(FakeEcsServices ecs) {
        ecs.update("pushdeploy", "web", REV2_ARN);
        return new Rollout(ecs.deployments().get(0).id(), REV2_ARN, NOW.toEpochMilli(), NOW.toEpochMilli() + 600_000, true, null);
    }

    /** A first release under way: the bootstrap revision ran no task, the request's count is 2, ECS deploys web:2 with it. */
    private record FirstRelease(FakeEcsServices ecs, DeployRequest request, Rollout rollout) {
    }

    private static FirstRelease firstReleaseStarted() {
        FakeEcsServices ecs = RolloutFixtures.bootstrapped();
        DeployRequest first = RolloutFixtures.firstRelease(2);
        ecs.update("pushdeploy", "web", REV2_ARN, 2);
        Rollout rollout = new Rollout(ecs.deployments().get(0).id(), REV2_ARN, NOW.toEpochMilli(), NOW.toEpochMilli() + 600_000, true, null, 2);
        return new FirstRelease(ecs, first, rollout);
    }

    /** A first release undone: the bootstrap revision with the count it had, 0, so nothing half-deployed keeps running. */
    @Test
    void aFirstReleaseGoesBackToTheBootstrapRevisionWithNoTasks() {
        FirstRelease started = firstReleaseStarted();
        FakeEcsServices ecs = started.ecs();

        Rollout back = rollback(ecs, started.request(), started.rollout(), RolloutFixtures.lines());

        assertEquals(REV1_ARN, ecs.taskDefinition());
        assertEquals(0, ecs.desiredCount());
        assertEquals(0, back.desiredCount());
        assertTrue(back.toZero());
        assertTrue(back.started());
    }

    /** ECS's circuit breaker returns to the bootstrap revision but keeps the failed count: the way back sets 0 alone. */
    @Test
    void aFirstReleaseEcsRolledBackGetsItsCountBackToZero() {
        FirstRelease started = firstReleaseStarted();
        FakeEcsServices ecs = started.ecs();
        Deployment ecsBack = ecs.circuitBreakerRollsBackTo(REV1_ARN);

        Rollout back = rollback(ecs, started.request(), started.rollout(), RolloutFixtures.lines());

        assertEquals(0, ecs.desiredCount());
        assertEquals(REV1_ARN, ecs.taskDefinition());
        assertEquals(ecsBack.id(), ecs.deployments().get(0).id(), "no new deployment: the count alone changed");
        assertEquals(0, ecs.deployments().get(0).desiredCount());
        assertEquals(ecsBack.id(), back.deploymentId());
        assertTrue(back.started() && back.toZero());
        assertEquals(2, ecs.updates);

        Rollout retry = rollback(ecs, started.request(), started.rollout(), RolloutFixtures.lines());
        assertFalse(retry.started(), "a retry finds the count set");
        assertEquals(2, ecs.updates);
    }

    @Test
    void movesTheServiceBackToThePreviousRevision() {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, true);
        Rollout rollout = started(ecs);
        List<String> lines = RolloutFixtures.lines();
        ecs.describes = 0;

        Rollout back = rollback(ecs, RolloutFixtures.request(REV1_ARN, 600), rollout, lines);

        Deployment primary = ecs.deployments().get(0);
        assertEquals(REV1_ARN, ecs.taskDefinition());
        assertEquals(2, ecs.updates);
        assertEquals(1, ecs.describes, "the service is read once, before the move");
        assertTrue(back.started());
        assertEquals(primary.id(), back.deploymentId());
        assertEquals(REV1_ARN, primary.taskDefinition());
        assertEquals(REV1_ARN, back.taskDefinition());
        assertEquals(ecs.serviceDeploymentOf(primary), back.serviceDeploymentArn(), "the way back's own service deployment");
        assertEquals(NOW.plusSeconds(120).toEpochMilli() + 600_000, back.deadlineAt());
        assertTrue(lines.stream().anyMatch(l -> l.contains("rolling back") && l.contains("EssentialContainerExited")), lines.toString());
    }

    @Test
    void doesNotUpdateWhenEcsCircuitBreakerAlreadyRolledBack() {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, true);
        Rollout rollout = started(ecs);
        Deployment ecsRollback = ecs.circuitBreakerRollsBackTo(REV1_ARN);

        Rollout back = rollback(ecs, RolloutFixtures.request(REV1_ARN, 600), rollout, RolloutFixtures.lines());

        assertEquals(1, ecs.updates);
        assertFalse(back.started());
        assertEquals(ecsRollback.id(), back.deploymentId());
        assertEquals(REV1_ARN, back.taskDefinition());
        assertEquals(ecs.serviceDeploymentOf(ecs.deployments().get(1)), back.serviceDeploymentArn(),
                "the service deployment whose rollback ECS runs");
    }

    @Test
    void aRetryDoesNotUpdateAgain() {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, true);
        Rollout rollout = started(ecs);
        Rollout first = rollback(ecs, RolloutFixtures.request(REV1_ARN, 600), rollout, RolloutFixtures.lines());
        Rollout retry = rollback(ecs, RolloutFixtures.request(REV1_ARN, 600), rollout, RolloutFixtures.lines());

        assertEquals(2, ecs.updates);
        assertFalse(retry.started());
        assertEquals(first.deploymentId(), retry.deploymentId());
    }

    @Test
    void onAnEmulatorWithoutDeploymentsTheServiceStillMovesBack() {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, false);
        ecs.update("pushdeploy", "web", REV2_ARN);
        Rollout rollout = new Rollout(null, REV2_ARN, NOW.toEpochMilli(), NOW.toEpochMilli() + 600_000, true, null);

        Rollout back = rollback(ecs, RolloutFixtures.request(REV1_ARN, 600), rollout, RolloutFixtures.lines());

        assertEquals(REV1_ARN, ecs.taskDefinition());
        assertEquals(2, ecs.updates);
        assertTrue(back.started());
    }

    @Test
    void aServiceSomeoneElseMovedIsLeftAlone() {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, true);
        Rollout rollout = started(ecs);
        String theirs = REV2_ARN.replace("web:2", "web:7");
        ecs.update("pushdeploy", "web", theirs);

        RunInterruptedException moved = assertThrows(RunInterruptedException.class,
                () -> rollback(ecs, RolloutFixtures.request(REV1_ARN, 600), rollout, RolloutFixtures.lines()));

        assertEquals(theirs, ecs.taskDefinition(), "the operator's revision stays");
        assertEquals(2, ecs.updates);
        assertTrue(moved.getMessage().startsWith("pushdeploy/web runs web:7 (deployment "), moved.getMessage());
        assertTrue(moved.getMessage().endsWith(", not web:2: it was moved by someone else, so it is left as it is instead of moving it "
                + "to web:1"), moved.getMessage());
    }

    @Test
    void withoutAPreviousRevisionNothingIsCalled() {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, true);
        Rollout rollout = started(ecs);
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> rollback(ecs, RolloutFixtures.request(null, 600), rollout, RolloutFixtures.lines()));
        assertEquals("request.previousTaskDefinition", e.field());
        assertEquals(1, ecs.updates);
        assertEquals(0, ecs.describes);
    }

    @Test
    void aTrafficShiftStillUnderWayIsRolledBackByEcsNotByAnUpdate() {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, true);
        ecs.strategy = Strategy.Type.CANARY;
        Rollout rollout = started(ecs);
        FakeServiceDeployments deployments = new FakeServiceDeployments();
        ServiceDeploymentState shift = deployments.add(REV2_ARN, "IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", NOW.toEpochMilli());
        List<String> lines = RolloutFixtures.lines();

        Rollout back = rollback(ecs, deployments, RolloutFixtures.request(REV1_ARN, 600), rollout, lines);

        assertEquals(List.of(shift.arn()), deployments.stopped);
        assertEquals(1, ecs.updates, "no UpdateService");
        assertTrue(back.started());
        assertEquals(shift.arn(), back.serviceDeploymentArn(), "the way back is that service deployment's rollback");
        assertEquals(REV1_ARN, back.taskDefinition());
        assertEquals(NOW.plusSeconds(120).toEpochMilli() + 600_000, back.deadlineAt());
        assertTrue(lines.stream().anyMatch(l -> l.contains("asked ECS to roll the deployment back")), lines.toString());
    }

    @Test
    void whenEcsRollsTheShiftBackAlreadyNothingIsAsked() {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, true);
        ecs.strategy = Strategy.Type.BLUE_GREEN;
        Rollout rollout = started(ecs);
        FakeServiceDeployments deployments = new FakeServiceDeployments();
        ServiceDeploymentState rollingBack = deployments.add(REV2_ARN, "ROLLBACK_IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", NOW.toEpochMilli());

        Rollout back = rollback(ecs, deployments, RolloutFixtures.request(REV1_ARN, 600), rollout, RolloutFixtures.lines());

        assertEquals(List.of(), deployments.stopped);
        assertEquals(1, ecs.updates);
        assertFalse(back.started());
        assertEquals(rollingBack.arn(), back.serviceDeploymentArn());
        assertEquals(REV1_ARN, back.taskDefinition());
    }

    @Test
    void aShiftThatAlreadySucceededIsUndoneWithAnUpdate() {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, true);
        ecs.strategy = Strategy.Type.LINEAR;
        Rollout rollout = started(ecs);
        FakeServiceDeployments deployments = new FakeServiceDeployments();
        deployments.add(REV2_ARN, "SUCCESSFUL", "CLEAN_UP", NOW.toEpochMilli());
        ecs.describes = 0;

        Rollout back = rollback(ecs, deployments, RolloutFixtures.request(REV1_ARN, 600), rollout, RolloutFixtures.lines());

        assertEquals(List.of(), deployments.stopped);
        assertEquals(2, ecs.updates);
        assertEquals(1, ecs.describes, "the strategy and the move read the service once");
        assertTrue(back.started());
        assertEquals(REV1_ARN, ecs.taskDefinition());
    }
}
