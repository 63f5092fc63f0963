package dev.pushdeploy.local.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.bootstrap.Bootstrap;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.run.RunResult;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.ecs.model.Service;

/**
 * The first release under BLUE_GREEN, CANARY and LINEAR: the stack as the first {@code sam deploy} leaves it (the
 * service on its bootstrap revision with no task, the release parameters {@code none}), then the first push of a
 * matching tag through the template's rule, the real state machine, ECS's lifecycle stages and the template's
 * lifecycle hook. A healthy release ends with the configured count on the pushed digest; a failed one leaves the
 * bootstrap revision with no task, and the next push is a first release again: a crash loop the workflow fails and
 * moves back itself, a failed smoke check ECS rolls back on the hook's answer (to the bootstrap revision with the
 * release's count, whose image nobody pushed).
 */
class FirstReleaseStrategiesIT {
    private static final String NONE = "none";

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "BLUE_GREEN, healthy",
        "BLUE_GREEN, crash-loop",
        "BLUE_GREEN, bad-smoke",
        "CANARY,     healthy",
        "CANARY,     crash-loop",
        "CANARY,     bad-smoke",
        "LINEAR,     healthy",
        "LINEAR,     crash-loop",
        "LINEAR,     unhealthy-targets"})
    void theFirstPushIsTheFirstRelease(String strategy, String scenario) {
        Workflow workflow = new Workflow(TestRuntime.freshWithoutRelease(StrategiesIT.parameters(strategy)));
        String bootstrap = workflow.liveTaskDefinition();
        assertEquals(workflow.web.initialTaskDefinition(), bootstrap);
        assertEquals(workflow.web.repositoryUri() + ":bootstrap", workflow.liveImage());
        assertEquals(0, workflow.service().desiredCount());
        assertEquals(NONE, workflow.parameter(workflow.releaseParameter("image")));

        RunResult result = workflow.push(Bootstrap.INITIAL_TAG, Scenario.fromCliName(scenario));

        String context = result.reason() + "\n" + String.join("\n", workflow.output) + "\n" + StrategiesIT.failures(result)
                + "\n" + StrategiesIT.hookAnswers();
        assertEquals(strategy, result.rollout().strategy(), context);
        assertFalse(workflow.lockHeld(), "lock released");
        if (scenario.equals("healthy")) {
            assertEquals("SUCCEEDED", result.outcome(), context);
            assertReleased(workflow, Bootstrap.INITIAL_TAG, "a");
            assertEquals(bootstrap, result.previousTaskDefinition());
            assertEquals(1, workflow.history().size());
            assertEquals(List.of("SUCCEEDED"), workflow.notifiedOutcomes());
        } else {
            assertEquals("ROLLED_BACK", result.outcome(), context);
            assertEquals(bootstrap, workflow.liveTaskDefinition(), "the bootstrap revision is live again: " + context
                    + "\nservice events: " + events(workflow));
            Service service = workflow.service();
            assertEquals(0, service.desiredCount(), "nothing is left running: " + context);
            assertEquals(0, service.runningCount(), "nothing is left running: " + context);
            assertEquals(NONE, workflow.parameter(workflow.releaseParameter("image")));
            workflow.slots("a").keySet().forEach(name ->
                    assertEquals(NONE, workflow.parameter(workflow.releaseParameter("secret/" + name)), name));
            assertEquals(1, workflow.history().size());
            assertEquals("ROLLED_BACK", workflow.historyOf(result).get("outcome").s());
            assertEquals(List.of("ROLLED_BACK"), workflow.notifiedOutcomes());

            RunResult again = workflow.push(Bootstrap.NEXT_TAG, Scenario.HEALTHY);
            assertEquals("SUCCEEDED", again.outcome(), again.reason() + "\n" + String.join("\n", workflow.output) + "\n"
                    + StrategiesIT.hookAnswers() + "\nservice events: " + events(workflow));
            assertEquals(bootstrap, again.previousTaskDefinition(), "the next push is the first release");
            assertReleased(workflow, Bootstrap.NEXT_TAG, "a");
            assertFalse(workflow.lockHeld(), "lock released");
        }
    }

    private static java.util.List<String> events(Workflow workflow) {
        return workflow.service().events().stream().map(e -> e.message()).toList();
    }

    /** The configured count running the digest pushed under {@code tag}, reading slot {@code slot}, and the release parameters naming both. */
    private static void assertReleased(Workflow workflow, String tag, String slot) {
        String image = workflow.web.repositoryUri() + "@" + workflow.digestOf(tag);
        assertEquals(image, workflow.liveImage());
        Service service = workflow.service();
        int configured = workflow.web.target().desiredCount();
        assertEquals(configured, service.desiredCount());
        assertEquals(configured, service.runningCount());
        assertEquals(1, service.deployments().size(), "one deployment left: " + service.deployments());
        assertEquals(workflow.slots(slot), workflow.liveContainer().secrets(), "the release reads slot " + slot);
        assertEquals(image, workflow.parameter(workflow.releaseParameter("image")));
        workflow.slots(slot).forEach((name, parameter) ->
                assertEquals(parameter, workflow.parameter(workflow.releaseParameter("secret/" + name)), name));
        assertTrue(workflow.history().stream().anyMatch(i -> i.get("outcome").s().equals("SUCCEEDED")));
    }
}
