package dev.pushdeploy.local.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.template.Deployment;
import dev.pushdeploy.local.aws.Clients;
import dev.pushdeploy.local.daemon.LocalDaemon;
import dev.pushdeploy.local.stack.PipelineTemplate;
import dev.pushdeploy.ops.CloudFormation;
import dev.pushdeploy.ops.Connection;
import dev.pushdeploy.ops.Operator;
import dev.pushdeploy.ops.Reports;
import dev.pushdeploy.local.bootstrap.Bootstrap;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.run.RunResult;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * The first release made by the workflow itself: the stack as the first {@code sam deploy} leaves it (the service on
 * its bootstrap revision with no task, the release parameters {@code none}, the push rule on), then the first push
 * of a matching tag through the template's rule and the real state machine.
 */
class FirstReleaseIT {
    private static final String NONE = "none";

    Workflow workflow;
    String bootstrap;
    private Operator operator;

    @BeforeEach
    void stackWithoutRelease() {
        workflow = new Workflow(TestRuntime.freshWithoutRelease());
        bootstrap = workflow.liveTaskDefinition();
        assertEquals(workflow.web.initialTaskDefinition(), bootstrap);
        assertEquals(workflow.web.repositoryUri() + ":bootstrap", workflow.liveImage());
        assertEquals(0, workflow.service().desiredCount());
        assertEquals(NONE, workflow.parameter(imageParameter()));
        assertEquals(NONE, workflow.parameter(slotParameter()));
    }

    @Test
    void theFirstPushIsTheFirstRelease() {
        RunResult result = workflow.push(Bootstrap.INITIAL_TAG, Scenario.HEALTHY);

        assertEquals("SUCCEEDED", result.outcome(), result.reason());
        String image = workflow.web.repositoryUri() + "@" + workflow.web.initialDigest();
        assertEquals(image, result.image());
        assertEquals(bootstrap, result.previousTaskDefinition());
        assertEquals(image, workflow.liveImage());
        Service service = workflow.service();
        int configured = workflow.web.target().desiredCount();
        assertEquals(2, configured, "the template's DesiredCount, through the configuration document");
        assertEquals(configured, service.desiredCount());
        assertEquals(configured, service.runningCount());
        assertEquals(workflow.slots("a"), workflow.liveContainer().secrets(), "the new revision reads slot a of every managed secret");
        workflow.slots("a").forEach((name, slot) -> {
            assertEquals(ParameterType.SECURE_STRING, workflow.ssm().getParameter(r -> r.name(slot)).parameter().type(),
                    slot + " exists");
            assertEquals(slot, workflow.parameter(workflow.releaseParameter("secret/" + name)));
        });
        workflow.web.target().secrets().stream().filter(spec -> spec.postgres() != null).forEach(spec ->
                assertEquals(spec.postgres().role() + "_a", workflow.liveContainer().environment().get(spec.postgres().usernameEnv()),
                        "the login role follows the password slot"));
        assertEquals(image, workflow.parameter(imageParameter()));
        assertEquals(1, workflow.history().size());
        assertEquals("SUCCEEDED", workflow.historyOf(result).get("outcome").s());
        assertEquals(List.of("SUCCEEDED"), workflow.notifiedOutcomes());
        assertFalse(workflow.lockHeld(), "lock released");
        Reports.Status status = status();
        assertTrue(status.live().released());
        assertEquals(List.of(Bootstrap.INITIAL_TAG), status.live().tags());
        Deployment stack = workflow.runtime.nextStackDeploy();
        JsonNode container = stack.properties("TaskDefinition").path("ContainerDefinitions").get(0);
        assertEquals(image, container.path("Image").asText(), "a later sam deploy keeps what the workflow released");
        Map<String, String> stackSecrets = new java.util.HashMap<>();
        container.path("Secrets").forEach(x -> stackSecrets.put(x.path("Name").asText(), x.path("ValueFrom").asText()));
        assertEquals(workflow.slots("a"), stackSecrets);
        assertEquals(String.valueOf(configured), stack.properties("Service").path("DesiredCount").asText());

        RunResult next = workflow.push(Bootstrap.NEXT_TAG, Scenario.HEALTHY);
        assertEquals("SUCCEEDED", next.outcome(), next.reason());
        assertEquals(workflow.slots("b"), workflow.liveContainer().secrets(), "the second release rotates into slot b, as any later deploy");
        assertEquals(configured, workflow.service().desiredCount(), "a later deploy keeps the count");
    }

    /**
     * Crash-loop: the workflow fails it on repeated exits and moves the service back itself. Unhealthy targets: ECS's
     * circuit breaker rolls back first, to the bootstrap revision with the release's count, whose tasks cannot pull
     * their image; the way back sets the count to 0 on that revision.
     */
    @ParameterizedTest
    @EnumSource(value = Scenario.class, names = {"CRASH_LOOP", "UNHEALTHY_TARGETS"})
    void aFailedFirstReleaseLeavesNothingHalfDeployed(Scenario scenario) {
        RunResult result = workflow.push(Bootstrap.INITIAL_TAG, scenario);

        assertEquals("ROLLED_BACK", result.outcome(), result.reason());
        assertEquals(bootstrap, workflow.liveTaskDefinition(), "the bootstrap revision is live again");
        Service service = workflow.service();
        assertEquals(0, service.desiredCount());
        assertEquals(0, service.runningCount());
        assertEquals(NONE, workflow.parameter(imageParameter()));
        assertEquals(NONE, workflow.parameter(slotParameter()));
        assertEquals("ROLLED_BACK", workflow.historyOf(result).get("outcome").s());
        String rollback = workflow.historyOf(result).get("rollback").s();
        assertTrue(rollback.contains("0/0 tasks"), rollback);
        assertEquals(List.of("ROLLED_BACK"), workflow.notifiedOutcomes());
        assertFalse(workflow.lockHeld(), "lock released");

        RunResult again = workflow.push(Bootstrap.NEXT_TAG, Scenario.HEALTHY);
        assertEquals("SUCCEEDED", again.outcome(), again.reason());
        assertEquals(workflow.web.target().desiredCount(), workflow.service().runningCount(), "the next push is the first release");
    }

    /**
     * A release that made a service's first release and then fails elsewhere undoes it with a rollback execution naming
     * the run it undoes (as the release state machine starts it): the service goes back to the bootstrap revision with
     * no task, its release parameters to none, and the first release's record says who undid it.
     */
    @Test
    void undoingTheFirstReleaseWithdrawsIt() {
        RunResult first = workflow.push(Bootstrap.INITIAL_TAG, Scenario.HEALTHY);
        assertEquals("SUCCEEDED", first.outcome(), first.reason());
        String execution = first.executionArn().substring(first.executionArn().lastIndexOf(':') + 1);

        RunResult undo = workflow.run("{\"action\":\"rollback\",\"service\":\"pushdeploy/web\",\"to\":\"" + bootstrap
                + "\",\"undoes\":\"" + execution + "\",\"reason\":\"the release failed elsewhere\"}", Scenario.HEALTHY);

        assertEquals("SUCCEEDED", undo.outcome(), undo.reason());
        assertEquals(bootstrap, workflow.liveTaskDefinition());
        assertEquals(0, workflow.service().desiredCount());
        assertEquals(0, workflow.service().runningCount(), "nothing runs");
        assertEquals(NONE, workflow.parameter(imageParameter()));
        assertEquals(NONE, workflow.parameter(slotParameter()));
        String undoName = undo.executionArn().substring(undo.executionArn().lastIndexOf(':') + 1);
        assertEquals(undoName, workflow.historyOf(first).get("undoneBy").s());
        assertFalse(workflow.lockHeld(), "lock released");
        assertFalse(status().live().released(), "no release again");

        RunResult again = workflow.push(Bootstrap.NEXT_TAG, Scenario.HEALTHY);
        assertEquals("SUCCEEDED", again.outcome(), again.reason());
        assertEquals(workflow.slots("a"), workflow.liveContainer().secrets(), "the next push is the first release again");
    }

    @Test
    void aRollbackOrARotationWithNoReleaseIsRejectedWithoutAWrite() throws Exception {
        for (String file : List.of("events/manual-rollback.json", "events/manual-rotate.json")) {
            RunResult result = workflow.run(Files.readString(TestRuntime.root().resolve(file)), Scenario.HEALTHY);
            assertEquals("REJECTED", result.outcome(), file + ": " + result.reason());
            assertTrue(result.reason().contains("pushdeploy/web has no release yet"), result.reason());
            assertEquals(List.of(), result.writes(), file);
        }
        assertEquals(bootstrap, workflow.liveTaskDefinition());
        assertEquals(List.of(), workflow.history());

        Reports.Status status = status();
        assertFalse(status.live().released(), "status says no release yet");
        assertEquals(workflow.web.repositoryUri() + ":bootstrap", status.live().image());
        assertEquals(0, status.health().desired());

        Reports.Diff diff = operator().diff(workflow.web.target(), workflow.web.repositoryUri() + ":" + Bootstrap.NEXT_TAG);
        assertEquals("PROCEED", diff.decision(), diff.reason());
        assertTrue(diff.changes().contains(new Reports.Change("desired count", "0",
                String.valueOf(workflow.web.target().desiredCount()))), "the first release starts the configured count: " + diff);
        assertEquals(bootstrap, workflow.liveTaskDefinition(), "a diff changes nothing");
        assertEquals(List.of(), workflow.history());
    }

    /**
     * The release parameters are not what decides: a release written into them by hand while the bootstrap
     * revision runs changes nothing about the first release, and Finalize puts the truth back.
     */
    @Test
    void aHandEditedReleaseParameterDoesNotFoolTheFirstRelease() {
        String lie = workflow.web.repositoryUri() + "@" + workflow.digestOf(Bootstrap.NEXT_TAG);
        put(imageParameter(), lie);
        put(slotParameter(), workflow.web.target().secrets().get(0).slotParameter("b"));

        RunResult result = workflow.push(Bootstrap.INITIAL_TAG, Scenario.HEALTHY);

        assertEquals("SUCCEEDED", result.outcome(), result.reason());
        assertEquals(workflow.web.target().desiredCount(), workflow.service().runningCount());
        assertEquals(workflow.slots("a"), workflow.liveContainer().secrets());
        assertEquals(workflow.web.repositoryUri() + "@" + workflow.web.initialDigest(), workflow.parameter(imageParameter()));
        assertEquals(workflow.slots("a").get("APP_SIGNING_KEY"), workflow.parameter(slotParameter()));
    }

    /**
     * {@code status} (and {@code diff}) as the operator's CLI reads it: the stack's outputs from CloudFormation (the stack made known to
     * the emulator, once per test), the endpoint overridden.
     */
    private Reports.Status status() {
        return operator().status(workflow.web.target());
    }

    private Operator operator() {
        if (operator == null) {
            Connection connection = Connection.emulator(workflow.runtime.endpoint(), Clients.REGION, "local", "local");
            new CloudFormation(connection).createStack(PipelineTemplate.STACK_NAME, LocalDaemon.template(workflow.runtime.stack()));
            operator = Operator.connect(connection, PipelineTemplate.STACK_NAME);
        }
        return operator;
    }

    private String imageParameter() {
        return workflow.releaseParameter("image");
    }

    private String slotParameter() {
        return workflow.releaseParameter("secret/APP_SIGNING_KEY");
    }


    private void put(String name, String value) {
        workflow.ssm().putParameter(r -> r.name(name).type(ParameterType.STRING).value(value).overwrite(true));
    }
}
