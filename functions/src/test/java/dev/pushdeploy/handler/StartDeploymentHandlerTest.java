package dev.pushdeploy.handler;

import static dev.pushdeploy.rollout.RolloutFixtures.NOW;
import static dev.pushdeploy.rollout.RolloutFixtures.REV1_ARN;
import static dev.pushdeploy.rollout.RolloutFixtures.REV2_ARN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.json.Trees;
import dev.pushdeploy.error.RunInterruptedException;
import dev.pushdeploy.release.RevisionChange;
import dev.pushdeploy.error.TransientException;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.rollout.Deployment;
import dev.pushdeploy.rollout.FakeEcsServices;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.rollout.RolloutFixtures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.release.InMemoryTaskDefinitions;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StartDeploymentHandlerTest {
    private static final Release RELEASE = new Release(REV2_ARN, "web", 2, "web@sha256:" + "a".repeat(64), true);

    private static StartDeploymentHandler.Input input(Release release, int deadlineSeconds) {
        return new StartDeploymentHandler.Input(RolloutFixtures.request(REV1_ARN, deadlineSeconds), release);
    }

    private static Rollout start(FakeEcsServices ecs, Release release, int deadlineSeconds, List<String> lines) {
        return new StartDeploymentHandler(ecs, request -> true, RolloutFixtures.clockAt(NOW))
                .apply(input(release, deadlineSeconds), RolloutFixtures.log(lines));
    }

    @Test
    void startsTheRevisionAndRemembersItsPrimaryDeployment() {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, true);
        List<String> lines = RolloutFixtures.lines();
        Rollout rollout = start(ecs, RELEASE, 600, lines);

        Deployment primary = ecs.deployments().get(0);
        assertEquals(REV2_ARN, ecs.taskDefinition());
        assertEquals(1, ecs.updates);
        assertTrue(rollout.started());
        assertEquals(primary.id(), rollout.deploymentId());
        assertEquals(FakeEcsServices.SERVICE_DEPLOYMENT_PREFIX + "pushdeploy/web/" + primary.id(), rollout.serviceDeploymentArn());
        assertEquals(REV2_ARN, primary.taskDefinition());
        assertEquals(REV2_ARN, rollout.taskDefinition());
        assertEquals(NOW.toEpochMilli(), rollout.startedAt());
        assertEquals(NOW.toEpochMilli() + 600_000, rollout.deadlineAt());
        assertTrue(lines.stream().anyMatch(l -> l.contains("deployment started") && l.contains(primary.id())), lines.toString());
    }

    /** A service deleted since the run was prepared interrupts the run: nothing to move, nothing moved. */
    @Test
    void aServiceDeletedSinceTheRunWasPreparedInterruptsIt() {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, true);
        ecs.delete();

        RunInterruptedException e = assertThrows(RunInterruptedException.class, () -> start(ecs, RELEASE, 600, RolloutFixtures.lines()));

        assertTrue(e.getMessage().startsWith("pushdeploy/web no longer exists or is not ACTIVE (deleted, or being deleted, by someone else"),
                e.getMessage());
        assertEquals(0, ecs.updates);
    }

    /**
     * A service on a third revision since the run was prepared (someone else moved it, the run not yet): nothing is moved.
     * A deploy or a rotation gets the error the workflow prepares the run again for, from where the service is; a rollback
     * asked for goes back only from the revision it was asked from, so it is interrupted.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"DEPLOY, dev.pushdeploy.error.ServiceMovedException", "ROTATE, dev.pushdeploy.error.ServiceMovedException",
            "ROLLBACK, dev.pushdeploy.error.RunInterruptedException"})
    void aServiceMovedSinceTheRunWasPreparedIsLeftAsItIs(Action action, String error) {
        String third = InMemoryTaskDefinitions.arn("web", 3);
        FakeEcsServices ecs = new FakeEcsServices(third, true);
        StartDeploymentHandler.Input input = new StartDeploymentHandler.Input(
                RolloutFixtures.request(REV1_ARN, 600).toBuilder().action(action).build(), RELEASE);

        RunInterruptedException e = assertThrows(RunInterruptedException.class,
                () -> new StartDeploymentHandler(ecs, request -> true, RolloutFixtures.clockAt(NOW)).apply(input,
                        RolloutFixtures.log(RolloutFixtures.lines())));

        assertEquals(error, e.getClass().getName());
        assertTrue(e.getMessage().startsWith("pushdeploy/web runs web:3"), e.getMessage());
        assertTrue(e.getMessage().contains(", not web:1: it was moved by someone else"), e.getMessage());
        assertEquals(0, ecs.updates);
        assertEquals(third, ecs.taskDefinition());
    }

    /** The same move found by a run that no longer holds the lock (redriven after it was accounted for): interrupted, never prepared again. */
    @Test
    void aServiceMovedFoundWithoutTheLockInterruptsTheRun() {
        FakeEcsServices ecs = new FakeEcsServices(InMemoryTaskDefinitions.arn("web", 3), true);

        RunInterruptedException e = assertThrows(RunInterruptedException.class,
                () -> new StartDeploymentHandler(ecs, request -> false, RolloutFixtures.clockAt(NOW)).apply(input(RELEASE, 600),
                        RolloutFixtures.log(RolloutFixtures.lines())));

        assertEquals(RunInterruptedException.class, e.getClass());
        assertEquals(0, ecs.updates);
    }

    /** web:1 deregistered, web:2 live; a manual rollback to web:1, ECS refusing INACTIVE revisions. */
    private record BackToDeregistered(InMemoryTaskDefinitions revisions, FakeEcsServices ecs, String old, StartDeploymentHandler handler,
                                      StartDeploymentHandler.Input back) {
    }

    private static BackToDeregistered backToDeregistered() {
        InMemoryTaskDefinitions revisions = new InMemoryTaskDefinitions();
        String old = revisions.add("web", "app", "web@sha256:" + "0".repeat(64), Map.of("APP_KEY", "/pushdeploy/web/app-key/a"));
        String live = revisions.add("web", "app", "web@sha256:" + "1".repeat(64), Map.of("APP_KEY", "/pushdeploy/web/app-key/b"));
        revisions.deregister(old);
        FakeEcsServices ecs = new FakeEcsServices(live, true);
        ecs.inactive = arn -> revisions.find(arn).filter(td -> !td.active()).isPresent();
        StartDeploymentHandler handler = new StartDeploymentHandler(ecs, revisions, request -> true, RolloutFixtures.clockAt(NOW));
        StartDeploymentHandler.Input back = new StartDeploymentHandler.Input(RolloutFixtures.request(live, 600).toBuilder()
                .action(Action.ROLLBACK).targetTaskDefinition(old).build(), new Release(old, "web", 1, "web@sha256:" + "0".repeat(64), false));
        return new BackToDeregistered(revisions, ecs, old, handler, back);
    }

    /**
     * A manual rollback to a revision deregistered long ago (keep-N pruned it, the operator names it): ECS refuses the
     * move, so the revision is registered again and the service moved to the copy; a retry finds it there.
     */
    @Test
    void aRollbackToADeregisteredRevisionGoesToACopyOfIt() {
        BackToDeregistered w = backToDeregistered();

        Rollout rollout = w.handler().apply(w.back(), RolloutFixtures.log(RolloutFixtures.lines()));
        Rollout retry = w.handler().apply(w.back(), RolloutFixtures.log(RolloutFixtures.lines()));

        String copy = InMemoryTaskDefinitions.arn("web", 3);
        assertEquals(copy, w.ecs().taskDefinition());
        assertEquals(copy, rollout.taskDefinition());
        assertEquals(w.old(), rollout.copyOf());
        assertTrue(rollout.started());
        assertEquals(w.revisions().find(w.old()).orElseThrow().containers(), w.revisions().find(copy).orElseThrow().containers());
        assertFalse(retry.started());
        assertEquals(copy, retry.taskDefinition());
        assertEquals(1, w.revisions().registrations.size());
        assertEquals(1, w.ecs().updates);
    }

    /**
     * The copy was registered but the move to it failed (throttled past the SDK's retries): the state machine retries the step,
     * which takes that copy again instead of registering one per attempt.
     */
    @Test
    void aRetryAfterTheMoveToTheCopyFailedRegistersNoSecondCopy() {
        BackToDeregistered w = backToDeregistered();
        w.ecs().throttledUpdates = 2;

        assertThrows(TransientException.class, () -> w.handler().apply(w.back(), RolloutFixtures.log(RolloutFixtures.lines())));
        assertThrows(TransientException.class, () -> w.handler().apply(w.back(), RolloutFixtures.log(RolloutFixtures.lines())));
        Rollout rollout = w.handler().apply(w.back(), RolloutFixtures.log(RolloutFixtures.lines()));

        String copy = InMemoryTaskDefinitions.arn("web", 3);
        assertEquals(List.of(w.old()), w.revisions().registrations.stream().map(RevisionChange::base).toList(), "one copy for three attempts");
        assertEquals(copy, w.ecs().taskDefinition());
        assertEquals(copy, rollout.taskDefinition());
        assertEquals(w.old(), rollout.copyOf());
        assertTrue(rollout.started());
    }

    /** A newest revision that is a copy of another revision is no copy of this one: the move registers its own. */
    @Test
    void aCopyOfAnotherRevisionIsNotTaken() {
        InMemoryTaskDefinitions revisions = new InMemoryTaskDefinitions();
        String older = revisions.add("web", "app", "web@sha256:" + "0".repeat(64), Map.of("APP_KEY", "/pushdeploy/web/app-key/a"));
        String old = revisions.add("web", "app", "web@sha256:" + "1".repeat(64), Map.of("APP_KEY", "/pushdeploy/web/app-key/b"));
        revisions.deregister(older);
        revisions.deregister(old);
        String otherCopy = revisions.register(RevisionChange.copyOf(revisions.find(older).orElseThrow())).arn();
        FakeEcsServices ecs = new FakeEcsServices(otherCopy, true);
        ecs.inactive = arn -> revisions.find(arn).filter(td -> !td.active()).isPresent();
        StartDeploymentHandler handler = new StartDeploymentHandler(ecs, revisions, request -> true, RolloutFixtures.clockAt(NOW));
        StartDeploymentHandler.Input back = new StartDeploymentHandler.Input(RolloutFixtures.request(otherCopy, 600).toBuilder()
                .action(Action.ROLLBACK).targetTaskDefinition(old).build(), new Release(old, "web", 2, "web@sha256:" + "1".repeat(64), false));

        Rollout rollout = handler.apply(back, RolloutFixtures.log(RolloutFixtures.lines()));

        String copy = InMemoryTaskDefinitions.arn("web", 4);
        assertEquals(copy, rollout.taskDefinition());
        assertEquals(old, revisions.find(copy).orElseThrow().tags().get(RevisionChange.TAG_COPY_OF));
        assertEquals(2, revisions.registrations.size());
    }

    @Test
    void aFirstReleaseStartsTheConfiguredCountWithTheRevisionOnce() {
        FakeEcsServices ecs = RolloutFixtures.bootstrapped();
        StartDeploymentHandler.Input first = new StartDeploymentHandler.Input(RolloutFixtures.firstRelease(3), RELEASE);
        StartDeploymentHandler handler = new StartDeploymentHandler(ecs, request -> true, RolloutFixtures.clockAt(NOW));

        Rollout rollout = handler.apply(first, RolloutFixtures.log(RolloutFixtures.lines()));
        Rollout retry = handler.apply(first, RolloutFixtures.log(RolloutFixtures.lines()));

        assertEquals(REV2_ARN, ecs.taskDefinition());
        assertEquals(3, ecs.desiredCount());
        assertEquals(3, ecs.deployments().get(0).desiredCount());
        assertEquals(1, ecs.updates, "one UpdateService: revision and count together");
        assertEquals(3, rollout.desiredCount());
        assertTrue(rollout.started());
        assertFalse(retry.started());
    }

    /**
     * The run ends while UpdateService is in flight, and the reconciler takes it over (the lock is no longer
     * this request's once UpdateService has answered): the move must not stay behind the reconciler's back,
     * unless RollBackStoppedRuns is off. A first release goes back to its count too.
     */
    @ParameterizedTest(name = "undo {0}, first release {1}")
    @CsvSource({"true, false, web:1, 5, 2", "false, false, web:2, 5, 1", "true, true, web:1, 0, 2", "false, true, web:2, 3, 1"})
    void aMoveThatLandsAfterTheRunWasTakenOverIsUndoneWhenStoppedRunsRollBack(boolean undo, boolean firstRelease, String left,
            int count, int updates) {
        FakeEcsServices ecs = firstRelease ? RolloutFixtures.bootstrapped() : new FakeEcsServices(REV1_ARN, true);
        if (!firstRelease) {
            ecs.runOnly(REV1_ARN, 5);
        }
        StartDeploymentHandler.Input prepared = firstRelease
                ? new StartDeploymentHandler.Input(RolloutFixtures.firstRelease(3), RELEASE) : input(RELEASE, 600);
        StartDeploymentHandler.Input input = new StartDeploymentHandler.Input(
                prepared.request().toBuilder().rollBackStoppedRuns(undo).build(), prepared.release());
        StartDeploymentHandler handler = new StartDeploymentHandler(ecs, request -> ecs.updates == 0, RolloutFixtures.clockAt(NOW));

        RunInterruptedException cut = assertThrows(RunInterruptedException.class,
                () -> handler.apply(input, RolloutFixtures.log(RolloutFixtures.lines())));

        assertEquals(left, Revisions.shortName(ecs.taskDefinition()), cut.getMessage());
        assertEquals(count, ecs.desiredCount());
        assertEquals(updates, ecs.updates);
        assertTrue(cut.getMessage().contains("lost the lock of pushdeploy/web while moving it to web:2"), cut.getMessage());
        assertTrue(cut.getMessage().endsWith(undo ? "moved back to web:1" : "(RollBackStoppedRuns is off)"), cut.getMessage());
    }

    /** A rollback's move that lands after its run was taken over stays, in both settings: undoing it would restore what it took off. */
    @ParameterizedTest(name = "undo {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void aRollbacksMoveThatLandsAfterTheRunWasTakenOverStays(boolean undo) {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, true);
        ecs.runOnly(REV1_ARN, 5);
        StartDeploymentHandler.Input rollback = new StartDeploymentHandler.Input(
                RolloutFixtures.request(REV1_ARN, 600).toBuilder().action(dev.pushdeploy.model.Action.ROLLBACK).rollBackStoppedRuns(undo).build(),
                RELEASE);
        StartDeploymentHandler handler = new StartDeploymentHandler(ecs, request -> ecs.updates == 0, RolloutFixtures.clockAt(NOW));

        RunInterruptedException cut = assertThrows(RunInterruptedException.class,
                () -> handler.apply(rollback, RolloutFixtures.log(RolloutFixtures.lines())));

        assertEquals("web:2", Revisions.shortName(ecs.taskDefinition()), cut.getMessage());
        assertEquals(1, ecs.updates);
        assertTrue(cut.getMessage().endsWith("it is left moving to web:2 (a rollback's move is not undone)"), cut.getMessage());
    }

    @Test
    void aDeployOfAReleasedServiceKeepsItsCount() {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, true);
        ecs.runOnly(REV1_ARN, 5);
        Rollout rollout = start(ecs, RELEASE, 600, RolloutFixtures.lines());
        assertEquals(5, ecs.desiredCount());
        assertNull(rollout.desiredCount());
    }

    @Test
    void aRetryStartsNoSecondDeployment() {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, true);
        Rollout first = start(ecs, RELEASE, 600, RolloutFixtures.lines());
        Rollout retry = start(ecs, new Release("web:2", "web", 2, RELEASE.image(), false), 600, RolloutFixtures.lines());

        assertEquals(1, ecs.updates);
        assertEquals(2, ecs.deployments().size());
        assertFalse(retry.started());
        assertEquals(first.deploymentId(), retry.deploymentId());
    }

    @Test
    void rereadsTheServiceWhenUpdateServiceAnswersWithoutTheDeployment() {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, true);
        ecs.updateAnswersWithoutDeployments = true;
        Rollout rollout = start(ecs, RELEASE, 600, RolloutFixtures.lines());

        assertEquals(2, ecs.describes);
        assertEquals(ecs.deployments().get(0).id(), rollout.deploymentId());
    }

    @Test
    void anEmulatorWithoutDeploymentsYieldsNoDeploymentIdAndRetriesStillDoNotUpdate() {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, false);
        Rollout first = start(ecs, RELEASE, 600, RolloutFixtures.lines());
        Rollout retry = start(ecs, RELEASE, 600, RolloutFixtures.lines());

        assertNull(first.deploymentId());
        assertTrue(first.started());
        assertFalse(retry.started());
        assertEquals(1, ecs.updates);
        assertEquals(REV2_ARN, ecs.taskDefinition());
    }

    @Test
    void defaultsTheDeadlineWhenTheRequestHasNone() {
        Rollout rollout = start(new FakeEcsServices(REV1_ARN, true), RELEASE, 0, RolloutFixtures.lines());
        assertEquals(rollout.startedAt() + 900_000, rollout.deadlineAt());
    }

    @Test
    void readsTheStateDocumentAndWritesTheRollout() {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, true);
        var state = Trees.object();
        state.set("request", Trees.mapper().valueToTree(RolloutFixtures.request(REV1_ARN, 300)));
        state.set("release", Trees.mapper().valueToTree(RELEASE));
        state.put("executionName", "exec-0001");
        state.set("secrets", Trees.tree("{\"secrets\":[]}"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        new StartDeploymentHandler(ecs, request -> true, RolloutFixtures.clockAt(NOW)).handleRequest(
                new ByteArrayInputStream(state.toString().getBytes(StandardCharsets.UTF_8)), out, null);

        JsonNode rollout = Trees.tree(out.toString(StandardCharsets.UTF_8));
        assertEquals(ecs.deployments().get(0).id(), rollout.path("deploymentId").asText());
        assertEquals(REV2_ARN, rollout.path("taskDefinition").asText());
        assertEquals(NOW.toEpochMilli() + 300_000, rollout.path("deadlineAt").asLong());
        assertTrue(rollout.path("started").asBoolean());
    }
}
