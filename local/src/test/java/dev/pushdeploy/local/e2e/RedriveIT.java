package dev.pushdeploy.local.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.lambda.LambdaRuntime;
import dev.pushdeploy.local.run.RunResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionNotRedrivableException;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * An operator redrives an ended run (Step Functions' RedriveExecution: the same execution, again from the state it
 * ended in, with that state's input, up to 14 days later) after the reconciler accounted for it and another run
 * deployed since. The redriven run must change nothing: the service stays on what the later run deployed, the secret
 * slots stay, the run keeps its one record and its one notification, and the lock ends free.
 */
class RedriveIT {
    @Test
    void aStoppedRunRedrivenInItsRolloutWatchChangesNothing() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        String name = "redrive-watching";
        LocalRuntime.Run run;
        try (var wallPace = workflow.runtime.holdTime()) {
            run = workflow.start(workflow.pushEvent("v1.1.0"), Scenario.SLOW_START, name);
            workflow.awaitState(name, "WaitForRollout");
            workflow.runtime.stop(workflow.runtime.executionArn(name));
        }
        assertEquals("ABORTED", run.await().outcome());
        assertEquals("ABORTED", end(workflow, name, 0).status());

        redriveAfterALaterPush(workflow, name, "WaitForRollout");
    }

    @Test
    void aRunStoppedWhileRotatingSecretsRotatesNothingWhenRedriven() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        String name = "redrive-rotating";
        LambdaRuntime.Hold hold = workflow.runtime.lambdas().hold("RotateSecretsFunction", 1);
        LocalRuntime.Run run = stoppedWhileRotating(workflow, name, hold);
        hold.release();
        assertEquals("ABORTED", run.await().outcome());

        redriveAfterALaterPush(workflow, name, "RotateSecrets");
    }

    /**
     * Redriven while the reconciler keeps its lock for the RotateSecrets invocation still in flight (until that step's
     * timeout after the end): the redriven execution ends as the run's record says and leaves the kept lock as it was,
     * so no next run takes it while that invocation may still write. (Before, its Finalize released the lock, and the
     * reconcile of its end again.)
     */
    @Test
    void aRunRedrivenWhileItsLockIsKeptLeavesItKept() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        String name = "redrive-kept";
        LambdaRuntime.Hold hold = workflow.runtime.lambdas().hold("RotateSecretsFunction", 1);
        LocalRuntime.Run run;
        try (var wallPace = workflow.runtime.holdTime()) {
            run = stoppedWhileRotating(workflow, name, hold);
            Map<String, AttributeValue> kept = workflow.lock();
            assertTrue(kept.get("kept") != null && kept.get("kept").bool(), "kept for the invocation in flight: " + kept);

            Redriven redriven = redrive(workflow, name);

            assertEquals("RotateSecrets", redriven.resumedIn().get(0), redriven.toString());
            assertEquals(List.of("FAILED", "ABORTED"), List.of(redriven.status(), redriven.error()), redriven.toString());
            assertEquals(kept, workflow.lock(), "the kept lock stays as the reconciler kept it: " + redriven);
        } finally {
            hold.release();
        }
        run.await();
    }

    /**
     * A run that reached the state machine's time limit (shortened for it, the rollout made longer than it), redriven
     * after a later push (on the template's limit) went live: a redrive resets the limit of the definition the run
     * started with, so it gets to Finalize and ends as its record says, TIMED_OUT. The later push waits for the
     * reconciler's move back to drain: it runs at the hour-long rollout's pace, longer than the later run's deadline.
     */
    @Test
    void aRunThatTimedOutRedrivenEndsAsItsRecordSays() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        SfnClient sfn = workflow.runtime.clients().build(SfnClient.builder());
        String machine = workflow.runtime.stack().stateMachineArn();
        String original = sfn.describeStateMachine(r -> r.stateMachineArn(machine)).definition();
        ObjectNode definition = (ObjectNode) Json.tree(original);
        definition.put("TimeoutSeconds", 240);
        sfn.updateStateMachine(r -> r.stateMachineArn(machine).definition(definition.toString()));
        workflow.runtime.simulator().rolloutSeconds(3_600);
        String name = "redrive-timed-out";
        String before = workflow.liveTaskDefinition();
        LocalRuntime.Run run = workflow.start(workflow.pushEvent("v1.1.0"), Scenario.HEALTHY, name);
        assertEquals("TIMED_OUT", run.await().outcome());
        assertEquals("TIMED_OUT", end(workflow, name, 0).status());
        sfn.updateStateMachine(r -> r.stateMachineArn(machine).definition(original));
        workflow.runtime.simulator().rolloutSeconds(8);
        assertEquals(before, workflow.awaitSteady(), "the reconciler moved the service back, at the hour-long rollout's pace");

        Later later = deployAnother(workflow);
        Redriven redriven = redrive(workflow, name);

        assertEquals("FAILED", redriven.status(), "the limit counts from the redrive: " + redriven);
        assertEquals("TIMED_OUT", redriven.error(), redriven.toString());
        assertEquals("TimedOutFail", redriven.resumedIn().get(redriven.resumedIn().size() - 1), redriven.toString());
        assertEquals(later.taskDefinition(), workflow.liveTaskDefinition(), "the service stays where the later run left it");
        assertEquals(1, workflow.historyOf(name).size());
        assertFalse(workflow.lockHeld(), "the lock is free: " + workflow.lockHolder());
    }

    /**
     * The console offers Redrive on any failed execution, a rolled-back run's too: it restarts in the Fail state the
     * run ended in and fails again at once, the same way; nothing moves, nothing is recorded or announced again.
     */
    @Test
    void aRolledBackRunRedrivenFailsAgainTheSameWay() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        RunResult rolledBack = workflow.run(workflow.pushEvent("v1.1.0"), Scenario.CRASH_LOOP);
        assertEquals("ROLLED_BACK", rolledBack.outcome(), rolledBack.reason());
        String name = rolledBack.executionArn().substring(rolledBack.executionArn().lastIndexOf(':') + 1);
        String live = workflow.liveTaskDefinition();
        workflow.notices();

        Redriven redriven = redrive(workflow, name);

        assertEquals(List.of("RolledBackFail"), redriven.resumedIn(), redriven.toString());
        assertEquals(java.util.Arrays.asList("FAILED", "ROLLED_BACK", rolledBack.reason()),
                java.util.Arrays.asList(redriven.status(), redriven.error(), redriven.cause()));
        assertEquals(live, workflow.liveTaskDefinition());
        assertEquals(1, workflow.historyOf(name).size());
        assertEquals(List.of(), workflow.notices().stream().filter(n -> name.equals(n.path("requestId").asText())).toList());
        assertFalse(workflow.lockHeld());
    }

    /**
     * A manual deploy stopped in RegisterTaskDefinition (accounted for ABORTED, its lock released), its service then
     * changed by hand, is redriven while a push waits for its image's scan. Its StartDeployment finds the service moved
     * and, the run no longer holding the lock, ends it INTERRUPTED touching nothing: it is not prepared again, takes no
     * lock and raises no high-water mark, so the push pushed before the redrive deploys (it was SUPERSEDED by a run that
     * deployed nothing while a moved service had any run prepared again).
     */
    @Test
    void aRunRedrivenAfterItsServiceWasChangedByHandTakesNoLockAndOvertakesNoPush() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh("CRITICAL"));
        String name = "redrive-moved-by-hand";
        String digest = workflow.runtime.pushImage(workflow.web.target().repository(), "v1.1.0");
        String manual = Json.object().put("action", "deploy").put("image", workflow.web.target().repository() + "@" + digest).toString();
        LambdaRuntime.Hold hold = workflow.holdNext("RegisterTaskDefinitionFunction");
        LocalRuntime.Run run = workflow.start(manual, Scenario.HEALTHY, name);
        assertTrue(hold.awaitArrival(Duration.ofMinutes(2)), "RegisterTaskDefinition reached");
        workflow.runtime.stop(workflow.runtime.executionArn(name));
        assertEquals("ABORTED", end(workflow, name, 0).status());
        hold.release();
        assertEquals("ABORTED", run.await().outcome());
        assertFalse(workflow.lockHeld(), "released by the reconciler");

        workflow.runtime.scans().scanSeconds(1500);
        LocalRuntime.Run push;
        Redriven redriven;
        // Simulated time at the wall clock's pace until the redriven run ended: with only the push waiting, the clock would
        // skip to the scan's end, and the push would go on before the change by hand and the redrive it is to meet.
        try (var wallPace = workflow.runtime.holdTime()) {
            push = workflow.start(workflow.pushEvent("v1.2.0"), Scenario.HEALTHY, "pushed-before-the-redrive");
            assertEquals("WaitForScan", workflow.awaitState("pushed-before-the-redrive", "WaitForScan"));
            workflow.redeployByHand(workflow.liveTaskDefinition());
            redriven = redrive(workflow, name);
        }
        RunResult pushed = push.await();

        assertEquals("SUCCEEDED", pushed.outcome(), "the push pushed before the redrive: " + pushed.reason() + "; the redriven run: " + redriven);
        assertFalse(redriven.resumedIn().contains("Lock"), "the redriven run asked for the lock: " + redriven);
        assertEquals(1, workflow.historyOf(name).size());
    }

    @Test
    void aRunningOrSucceededExecutionIsNotRedrivable() throws Exception {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        SfnClient sfn = workflow.runtime.clients().build(SfnClient.builder());
        String name = "redrive-running";
        LocalRuntime.Run run;
        String arn;
        try (var wallPace = workflow.runtime.holdTime()) {
            run = workflow.start(workflow.pushEvent("v1.1.0"), Scenario.SLOW_START, name);
            workflow.awaitState(name, "WaitForRollout");
            arn = workflow.runtime.executionArn(name);
            assertNotRedrivable(sfn, arn, "RUNNING");
        }
        assertEquals("SUCCEEDED", run.await().outcome());
        assertNotRedrivable(sfn, arn, "SUCCEEDED");
        assertEquals(0, sfn.describeExecution(r -> r.executionArn(arn)).redriveCount());
    }

    private static void assertNotRedrivable(SfnClient sfn, String arn, String status) {
        ExecutionNotRedrivableException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionNotRedrivableException.class,
                () -> sfn.redriveExecution(r -> r.executionArn(arn)));
        assertTrue(e.getMessage().contains("Execution is " + status + " and cannot be redriven"), e.getMessage());
    }

    /**
     * A push named {@code name}, stopped while its RotateSecrets invocation is held by {@code hold}; answers once the
     * reconciler took the stop.
     */
    private static LocalRuntime.Run stoppedWhileRotating(Workflow workflow, String name, LambdaRuntime.Hold hold) throws InterruptedException {
        LocalRuntime.Run run = workflow.start(workflow.pushEvent("v1.1.0"), Scenario.HEALTHY, name);
        assertTrue(hold.awaitArrival(Duration.ofMinutes(2)), "RotateSecretsFunction was invoked");
        workflow.runtime.stop(workflow.runtime.executionArn(name));
        assertEquals("ABORTED", end(workflow, name, 0).status());
        return run;
    }

    /**
     * A later push goes live; then the stopped run {@code name} is redriven, resumes in {@code state} and must change
     * nothing.
     */
    private static void redriveAfterALaterPush(Workflow workflow, String name, String state) throws InterruptedException {
        Later later = deployAnother(workflow);
        Redriven redriven = redrive(workflow, name);

        assertEquals(state, redriven.resumedIn().get(0), redriven.toString());
        assertNothingChanged(workflow, name, later, redriven);
    }

    /** Where a later run left the service: a push of v1.2.0 run to its end while the first run stayed ended. */
    private record Later(String taskDefinition, Map<String, String> slots, Map<String, Long> versions) {
    }

    private static Later deployAnother(Workflow workflow) {
        RunResult next = workflow.run(workflow.pushEvent("v1.2.0"), Scenario.HEALTHY);
        assertEquals("SUCCEEDED", next.outcome(), next.reason());
        workflow.notices();
        return new Later(workflow.liveTaskDefinition(), workflow.liveContainer().secrets(), versions(workflow));
    }

    /** Every slot parameter of the managed secrets (both slots) → its version: a rotation writes a new one. */
    private static Map<String, Long> versions(Workflow workflow) {
        Map<String, Long> versions = new java.util.TreeMap<>();
        for (String slot : List.of("a", "b")) {
            for (String parameter : workflow.slots(slot).values()) {
                versions.put(parameter, workflow.ssm().getParameter(r -> r.name(parameter)).parameter().version());
            }
        }
        return versions;
    }

    /** How the redriven execution went: the states it entered after the redrive, and how it ended. */
    private record Redriven(List<String> resumedIn, String status, String error, String cause) {
    }

    private static Redriven redrive(Workflow workflow, String name) throws InterruptedException {
        SfnClient sfn = workflow.runtime.clients().build(SfnClient.builder());
        Workflow.Redrive redrive = Workflow.redrive(sfn, workflow.runtime.executionArn(name));
        DescribeExecutionResponse described = redrive.ended();
        assertEquals(1, described.redriveCount());
        List<String> states = new ArrayList<>();
        for (HistoryEvent event : redrive.events()) {
            if (event.stateEnteredEventDetails() != null) {
                states.add(event.stateEnteredEventDetails().name());
            }
        }
        assertFalse(redrive.events().isEmpty(), "the history shows the redrive");
        assertFalse(end(workflow, name, 1).failed(), "the second end reached the reconciler, which did not fail");
        return new Redriven(states, described.statusAsString(), described.error(), described.cause());
    }

    /**
     * The service, the secrets, the lock and the run's one record and notification are as the later run and the
     * reconciler left them; the redriven execution ends as its record says (Finalize answers the record).
     */
    private static void assertNothingChanged(Workflow workflow, String name, Later later, Redriven redriven) {
        assertEquals(later.taskDefinition(), workflow.liveTaskDefinition(), "the service stays where the later run left it: " + redriven);
        assertEquals(later.slots(), workflow.liveContainer().secrets(), "the secret slots stay: " + redriven);
        assertEquals(later.versions(), versions(workflow), "no secret was written: " + redriven);
        List<Map<String, AttributeValue>> records = workflow.historyOf(name);
        assertEquals(1, records.size(), "one record for the run: " + records);
        assertEquals("ABORTED", records.get(0).get("outcome").s(), records.toString());
        assertEquals(java.util.Arrays.asList("FAILED", "ABORTED", records.get(0).get("reason").s()),
                java.util.Arrays.asList(redriven.status(), redriven.error(), redriven.cause()), "the redriven execution ends as the run's record says");
        assertEquals(List.of("Finalize", "Outcome", "AbortedFail"), redriven.resumedIn().subList(redriven.resumedIn().size() - 3,
                redriven.resumedIn().size()), redriven.toString());
        List<JsonNode> notices = workflow.notices().stream().filter(n -> name.equals(n.path("requestId").asText())).toList();
        assertEquals(List.of(), notices, "no second notification: " + redriven);
        assertFalse(workflow.lockHeld(), "the lock is free: " + workflow.lockHolder());
        assertFalse(workflow.waiting(name), "not queued");
    }

    private static LocalRuntime.Accounting end(Workflow workflow, String name, int end) {
        return workflow.runtime.accounting(workflow.runtime.executionArn(name), end, Duration.ofMinutes(2))
                .filter(a -> !a.deliveries().isEmpty())
                .orElseThrow(() -> new AssertionError("end " + end + " of " + name + " reached no rule"));
    }
}
