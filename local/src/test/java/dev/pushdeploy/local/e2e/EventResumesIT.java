package dev.pushdeploy.local.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.endpoint.AwsResponse;
import dev.pushdeploy.local.endpoint.ExecutionScope;
import dev.pushdeploy.local.events.LocalEventBus;
import dev.pushdeploy.local.run.RunResult;
import dev.pushdeploy.local.time.TimeKeeper;
import dev.pushdeploy.model.QuickRetry;
import dev.pushdeploy.ops.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ECS's events about a watched service whose looks cannot see it: each resumes the run to watch again, as often as a
 * run allows ({@link QuickRetry#EVENT_RESUMES}), since each resume is a wait more in the run's history; the real state
 * machine, the functions in process, ECS simulated.
 */
class EventResumesIT {
    private static final String EVENTS_FUNCTION = "RolloutEventsFunction";

    Workflow workflow;

    @BeforeEach
    void freshStack() {
        workflow = new Workflow(TestRuntime.fresh());
    }

    /**
     * The event function's calls to ECS are throttled through the SDK's retries, the workflow's own looks are not. Events
     * about the service come one after another while the rollout runs: the first {@link QuickRetry#EVENT_RESUMES} resume
     * the run (each time it stores a new watch), the ones after fail, for EventBridge to deliver them again, and leave the
     * watch as it is; once ECS answers again the rollout is seen to its end.
     */
    @Test
    void eventsWhoseLooksCannotSeeTheServiceResumeARunAtMostAsOftenAsARunAllows() throws Exception {
        workflow.runtime.simulator().rolloutSeconds(600);
        String name = "resumed-by-events";
        int events = QuickRetry.EVENT_RESUMES + 2;
        List<String> tokens = new ArrayList<>();
        LocalRuntime.Run run;
        try (TimeKeeper.Activity held = workflow.runtime.holdTime();
             LocalRuntime.CallAnswers blind = workflow.runtime.answerCalls(
                     r -> r.header(ExecutionScope.HEADER) == null && String.valueOf(r.header("X-Amz-Target")).startsWith("AmazonEC2ContainerService"),
                     AwsResponse.json(400, AwsResponse.JSON_1_1, "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}", Map.of()))) {
            run = workflow.start(workflow.pushEvent("v1.1.0"), Scenario.HEALTHY, name);
            tokens.add(workflow.awaitItsRolloutWatched(name, null));
            ObjectNode started = deploymentStarted();
            for (int i = 0; i < events; i++) {
                int before = workflow.runtime.lambdas().invocations(EVENTS_FUNCTION);
                publishCompleted(started);
                if (i < QuickRetry.EVENT_RESUMES) {
                    tokens.add(workflow.awaitItsRolloutWatched(name, tokens.get(tokens.size() - 1)));
                } else {
                    awaitEventHandled(before);
                    assertEquals(tokens.get(tokens.size() - 1), workflow.awaitItsRolloutWatched(name, null),
                            "event " + (i + 1) + " resumed nothing: the watch stays");
                }
            }
        }
        RunResult result = run.await();

        assertEquals("SUCCEEDED", result.outcome(), result.reason());
        assertEquals(QuickRetry.EVENT_RESUMES + 1, tokens.stream().distinct().count(), "a new watch after each resume: " + tokens);
        assertEquals(QuickRetry.EVENT_RESUMES, resumedInProgress(result), "the run was resumed to watch again this often");
        assertEquals(result.image(), workflow.liveImage());
    }

    /** The simulator's "ECS Deployment State Change" of the run's deployment starting, as ECS sent it. */
    private ObjectNode deploymentStarted() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            for (LocalEventBus.Published published : workflow.runtime.bus().published()) {
                if (published.event().path("detail").path("eventName").asText().equals("SERVICE_DEPLOYMENT_IN_PROGRESS")) {
                    return published.event();
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("ECS sent no event of the deployment starting");
    }

    /** Puts on the bus ECS's event of that deployment completing, as a look that cannot see the service takes any event. */
    private void publishCompleted(ObjectNode started) {
        ObjectNode event = started.deepCopy();
        String id = UUID.randomUUID().toString();
        event.put("id", id);
        ((ObjectNode) event.get("detail")).put("eventName", "SERVICE_DEPLOYMENT_COMPLETED");
        List<String> rules = workflow.runtime.bus().put(event);
        assertEquals(1, rules.size(), "the deployment rule takes it: " + rules);
    }

    /** Waits until an invocation of the event function after the first {@code before} has ended. */
    private void awaitEventHandled(int before) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (workflow.runtime.lambdas().invocations(EVENTS_FUNCTION) <= before) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the event reached no " + EVENTS_FUNCTION);
            }
            Thread.sleep(50);
        }
        assertTrue(workflow.runtime.lambdas().drain(java.time.Duration.ofMinutes(1)), "the event function ended");
    }

    /** How often a watch task of the rollout ended IN_PROGRESS: resumed by an event whose look could not see the service. */
    private static long resumedInProgress(RunResult result) {
        return java.util.stream.StreamSupport.stream(result.history().spliterator(), false)
                .filter(e -> e.path("type").asText().equals("TaskSucceeded"))
                .map(e -> Json.tree(e.path("taskSucceededEventDetails").path("output").asText()))
                .filter(output -> output.path("verdict").asText().equals("IN_PROGRESS"))
                .count();
    }
}
