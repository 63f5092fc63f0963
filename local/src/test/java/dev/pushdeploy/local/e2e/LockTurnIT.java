package dev.pushdeploy.local.e2e;

import static dev.pushdeploy.testing.HistoryEvents.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ledger.LockService;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.endpoint.CallHold;
import dev.pushdeploy.local.endpoint.ExecutionScope;
import dev.pushdeploy.local.lambda.LambdaRuntime;
import dev.pushdeploy.local.run.RunResult;
import dev.pushdeploy.ops.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A run told to wait for the lock waits for its turn with a task token, through the real state machine on simulated
 * time: the end of the holder's run wakes it, a newer request that supersedes it wakes it, and a wake-up that never
 * comes only delays it until its wait times out by itself.
 */
class LockTurnIT {
    @Test
    void theHoldersEndWakesTheWaiterAtOnce() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        workflow.runtime.simulator().rolloutSeconds(300);
        Queue queue = queueBehindAHolder(workflow, "woken");
        queue.holding().release();
        RunResult held = queue.holder().await();
        RunResult waiter = queue.waiter().await();

        assertEquals("SUCCEEDED", held.outcome(), held.reason());
        assertEquals("SUCCEEDED", waiter.outcome(), waiter.reason());
        List<Double> waits = entered(waiter, "WaitForLock");
        assertEquals(1, waits.size(), "one wait, ended by the wake-up: " + waits);
        double lag = acquiredAt(waiter) - endOf(held);
        assertTrue(lag >= 0 && lag < 5, "the lock taken " + lag + " s after the holder's run ended");
        assertEquals(waiter.image(), workflow.liveImage());
    }

    @Test
    void aNewerPushWakesTheWaiterItSupersedes() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        workflow.runtime.simulator().rolloutSeconds(300);
        Queue queue = queueBehindAHolder(workflow, "superseded");
        LocalRuntime.Run newest = workflow.runtime.start(workflow.pushEvent("v1.3.0"), Scenario.HEALTHY, "newest", line -> { });
        RunResult superseded = queue.waiter().await();
        queue.holding().release();
        RunResult held = queue.holder().await();
        RunResult last = newest.await();

        assertEquals("SUPERSEDED", superseded.outcome(), superseded.reason());
        assertTrue(endOf(superseded) < endOf(held), "the superseded run ended while the holder still ran");
        assertEquals("SUCCEEDED", held.outcome(), held.reason());
        assertEquals("SUCCEEDED", last.outcome(), last.reason());
        assertEquals(last.image(), workflow.liveImage());
    }

    @Test
    void aLostWakeUpOnlyDelaysUntilTheWaitTimesOut() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        workflow.runtime.simulator().rolloutSeconds(60);
        Queue queue = queueBehindAHolder(workflow, "unheard");
        workflow.forgetTurnToken("unheard");
        queue.holding().release();
        RunResult held = queue.holder().await();
        RunResult waiter = queue.waiter().await();

        assertEquals("SUCCEEDED", held.outcome(), held.reason());
        assertEquals("SUCCEEDED", waiter.outcome(), waiter.reason());
        double firstWait = entered(waiter, "WaitForLock").get(0);
        double acquired = acquiredAt(waiter);
        assertTrue(acquired > endOf(held) + 60, "nothing woke the waiter when the holder ended");
        assertTrue(acquired - firstWait <= LockService.MAX_TURN_WAIT_SECONDS + 60,
                "its wait timed out by itself: the lock taken " + (acquired - firstWait) + " s after it began waiting");
    }

    /**
     * A holder stopped while its UpdateService is in flight keeps its lock, closing, until that step has surely ended;
     * the reconciler wakes the waiter at the stop, which asks again and waits only until the kept lock runs out
     * rather than its longest wait.
     */
    @Test
    void aLockKeptForAStoppedRunWakesTheWaiterToWaitOnlyUntilItRunsOut() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        CallHold move = workflow.runtime.holdCall(r -> "kept".equals(r.header(ExecutionScope.HEADER)) && r.operation().equals("UpdateService"));
        LocalRuntime.Run holder = workflow.runtime.start(workflow.pushEvent("v1.1.0"), Scenario.HEALTHY, "kept", line -> { });
        assertTrue(move.awaitArrival(Duration.ofMinutes(2)), "StartDeployment sent UpdateService");
        LocalRuntime.Run waiter = workflow.runtime.start(workflow.pushEvent("v1.2.0"), Scenario.HEALTHY, "after-kept", line -> { });
        workflow.awaitItsTurnWaited("after-kept");
        workflow.runtime.stop(workflow.runtime.executionArn("kept"));
        RunResult stopped = holder.await();
        move.release();
        RunResult result = waiter.await();

        assertEquals("ABORTED", stopped.outcome(), stopped.reason());
        assertEquals("SUCCEEDED", result.outcome(), result.reason());
        assertEquals(2, entered(result, "WaitForLock").size(), "woken at the stop, then until the kept lock ran out");
        double after = acquiredAt(result) - endOf(stopped);
        assertTrue(after < LockService.MAX_TURN_WAIT_SECONDS / 2.0, "the lock taken " + after + " s after the stop");
        assertTrue(workflow.liveImage().endsWith("@" + workflow.digestOf("v1.2.0")), workflow.liveImage());
    }

    /**
     * An operator asks for a rollback while a deploy is under way; the rollback queues; the deploy then fails and rolls
     * itself back. The rollback, prepared again after its wait, would go back from the revision the deploy returned to, one
     * further than asked: it is IGNORED, saying why, and the service stays on the release it had.
     */
    @Test
    void aRollbackQueuedBehindADeployThatRollsItselfBackGoesNoFurther() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        RunResult released = workflow.push("v1.1.0", Scenario.HEALTHY);
        assertEquals("SUCCEEDED", released.outcome(), released.reason());
        String live = workflow.liveTaskDefinition();
        String crashing = workflow.pushEvent("v1.2.0");
        workflow.runtime.simulator().imageScenario(workflow.digestOf("v1.2.0"), Scenario.CRASH_LOOP);
        LambdaRuntime.Hold holding = workflow.holdNext("CheckDeploymentFunction");
        LocalRuntime.Run deploy = workflow.runtime.start(crashing, Scenario.HEALTHY, "crashing", line -> { });
        assertTrue(holding.awaitArrival(Duration.ofMinutes(2)), "the deploy checks its rollout");
        LocalRuntime.Run rollback = workflow.start("{\"action\":\"rollback\",\"service\":\"pushdeploy/web\",\"to\":\"previous\"}",
                Scenario.HEALTHY, "undo");
        workflow.awaitItsTurnWaited("undo");
        holding.release();

        RunResult deployed = deploy.await();
        RunResult undone = rollback.await();

        assertEquals("ROLLED_BACK", deployed.outcome(), deployed.reason());
        assertEquals("IGNORED", undone.outcome(), undone.reason());
        assertTrue(undone.reason().contains("changed from web:") && undone.reason().contains("while this rollback waited"),
                undone.reason());
        assertEquals(live, workflow.liveTaskDefinition(), "still the release it had");
        assertFalse(workflow.lockHeld(), "lock released");
    }

    record Queue(LocalRuntime.Run holder, LambdaRuntime.Hold holding, LocalRuntime.Run waiter) {
    }

    /**
     * A holder whose first check is held (the test releases it), and a run named {@code name} pushed after it that
     * waits for its turn (its token stored).
     */
    private static Queue queueBehindAHolder(Workflow workflow, String name) throws InterruptedException {
        LambdaRuntime.Hold holding = workflow.holdNext("CheckDeploymentFunction");
        LocalRuntime.Run holder = workflow.runtime.start(workflow.pushEvent("v1.1.0"), Scenario.HEALTHY, "holder-" + name, line -> { });
        assertTrue(holding.awaitArrival(Duration.ofMinutes(2)), "the holder checks its rollout");
        LocalRuntime.Run waiter = workflow.runtime.start(workflow.pushEvent("v1.2.0"), Scenario.HEALTHY, name, line -> { });
        workflow.awaitItsTurnWaited(name);
        return new Queue(holder, holding, waiter);
    }

    private static List<Double> entered(RunResult run, String state) {
        List<Double> at = new ArrayList<>();
        for (JsonNode event : run.history()) {
            if (state.equals(event.path("stateEnteredEventDetails").path("name").asText())) {
                at.add(seconds(event));
            }
        }
        return at;
    }

    /** When the run's Lock step answered ACQUIRED (simulated seconds). */
    private static double acquiredAt(RunResult run) {
        for (JsonNode event : run.history()) {
            JsonNode output = event.path("lambdaFunctionSucceededEventDetails").path("output");
            if (output.isTextual() && "ACQUIRED".equals(Json.tree(output.asText()).path("status").asText())) {
                return seconds(event);
            }
        }
        throw new AssertionError("the run never acquired the lock");
    }

    private static double endOf(RunResult run) {
        return seconds(run.history().get(run.history().size() - 1));
    }
}
