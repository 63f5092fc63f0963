package dev.pushdeploy.handler;

import static dev.pushdeploy.handler.RequestLedgerEvents.RELEASE_PARAMETER_PREFIX;
import static dev.pushdeploy.handler.RequestLedgerEvents.V1_0_0;
import static dev.pushdeploy.handler.RequestLedgerEvents.V1_1_0;
import static dev.pushdeploy.handler.RequestLedgerEvents.invoke;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.model.FinalizeResult;
import dev.pushdeploy.model.Outcome;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.World;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.Secret;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;

/**
 * Finalize against the emulator with events/finalize.json: a request that deployed v1.1.0 as
 * web:6 (slot b) after earlier attempts left web:2 … web:5 behind, holding the lock. The IT
 * creates what the file refers to: those revisions, the service running web:6, the lock, and an
 * event bus with a rule that copies outcome events to an SQS queue.
 */
@ExtendWith(EmulatorExtension.class)
class FinalizeHandlerIT {
    private static final String PK = "svc#pushdeploy/web";
    private static final String HISTORY_KEY = "hist#2025-01-02T10:00:01.250Z#push-web-v1-1-0";
    private static final String IMAGE_PARAMETER = RELEASE_PARAMETER_PREFIX + "/pushdeploy/web/image";
    private static final String SECRET_PARAMETER = RELEASE_PARAMETER_PREFIX + "/pushdeploy/web/secret/APP_SIGNING_KEY";

    private World world;
    private final List<String> revisions = new ArrayList<>();
    private String eventsQueueUrl;

    @BeforeEach
    void world(Emulator emulator) {
        world = World.create(emulator);
        RequestLedgerEvents.environment(world);
        assertEquals(V1_1_0, world.pushImage("v1.1.0"));
        revisions.add(world.liveTaskDefinition);
        for (int i = 2; i <= 5; i++) {
            revisions.add(register(V1_0_0, "a"));
        }
        revisions.add(register(V1_1_0, "b"));
        assertTrue(revisions.get(5).endsWith("task-definition/web:6"), "the event's release is web:6");
        world.ecs.updateService(r -> r.cluster(World.CLUSTER).service(World.SERVICE).taskDefinition(revisions.get(5)));

        world.events.createEventBus(r -> r.name(RequestLedgerEvents.EVENT_BUS));
        eventsQueueUrl = world.sqs.createQueue(r -> r.queueName("outcome-events")).queueUrl();
        String queueArn = world.sqs.getQueueAttributes(r -> r.queueUrl(eventsQueueUrl).attributeNamesWithStrings("QueueArn"))
                .attributesAsStrings().get("QueueArn");
        world.events.putRule(r -> r.name("outcomes").eventBusName(RequestLedgerEvents.EVENT_BUS)
                .eventPattern("{\"source\":[\"pushdeploy\"],\"detail-type\":[\"Deployment Outcome\"]}"));
        world.events.putTargets(r -> r.rule("outcomes").eventBusName(RequestLedgerEvents.EVENT_BUS).targets(t -> t.id("queue").arn(queueArn)));
    }

    @Test
    void theSampleEventFinishesASucceededDeploy() {
        String event = RequestLedgerEvents.file("finalize.json");
        assertEquals("ACQUIRED", invoke(new LockHandler(), event).path("status").asText(), "the request holds the lock");
        world.dynamo.putItem(r -> r.tableName(World.TABLE).item(Map.of("pk", AttributeValue.fromS(PK),
                "sk", AttributeValue.fromS("wait#push-web-v1-1-0"), "requestId", AttributeValue.fromS("push-web-v1-1-0"))));

        FinalizeResult result = Json.convert(invoke(new FinalizeHandler(), event), FinalizeResult.class);

        assertEquals(new FinalizeResult(Outcome.SUCCEEDED, "2/2 tasks of web:6 running, targets healthy", "pushdeploy/web",
                world.repositoryUri + "@" + V1_1_0, revisions.get(5), world.liveTaskDefinition,
                List.of(revisions.get(1), revisions.get(2), revisions.get(3))), result);

        Map<String, AttributeValue> history = world.item(PK, HISTORY_KEY);
        assertEquals("SUCCEEDED", history.get("outcome").s());
        assertEquals(revisions.get(5), history.get("taskDefinition").s());
        assertEquals(world.liveTaskDefinition, history.get("previousTaskDefinition").s());
        assertEquals("ecs-svc/4721038496511863023", history.get("deploymentId").s());
        assertEquals("APP_SIGNING_KEY=b", history.get("secretSlots").l().get(0).s());
        assertTrue(history.get("published").bool());
        assertTrue(world.item(PK, "lock").isEmpty(), "lock released");
        assertTrue(world.item(PK, "wait#push-web-v1-1-0").isEmpty(), "waiter removed");

        assertEquals(List.of("ACTIVE", "INACTIVE", "INACTIVE", "INACTIVE", "ACTIVE", "ACTIVE"), revisions.stream().map(this::status).toList(),
                "keepRevisions 3: web:6 (live, verified), web:1 (the rollback target) and the newest other, web:5; never verified, web:2 … web:4 go");
        assertEquals(revisions.get(5), world.ecs.describeServices(r -> r.cluster(World.CLUSTER).services(World.SERVICE))
                .services().get(0).taskDefinition(), "the live revision is untouched");

        assertEquals(world.repositoryUri + "@" + V1_1_0, parameter(IMAGE_PARAMETER));
        assertEquals(World.SIGNING_KEY_PARAMETER + "/b", parameter(SECRET_PARAMETER));

        List<String> messages = world.notifications();
        assertEquals(1, messages.size());
        JsonNode notice = Json.tree(messages.get(0));
        assertEquals("push-web-v1-1-0", notice.path("requestId").asText());
        assertEquals("SUCCEEDED", notice.path("outcome").asText());
        assertEquals("2/2 tasks of web:6 running, targets healthy", notice.path("reason").asText());
        assertEquals("pushdeploy/web", notice.path("service").asText());
        assertEquals(world.repositoryUri + "@" + V1_1_0, notice.path("image").asText());
        assertEquals(revisions.get(5), notice.path("taskDefinition").asText());
        assertEquals(world.liveTaskDefinition, notice.path("previousTaskDefinition").asText());
        assertEquals(3, notice.path("deregistered").size());
        assertFalse(messages.get(0).contains("initial-signing-key-value"), "no secret value in the notification");

        JsonNode outcomeEvent = Json.tree(world.sqs.receiveMessage(r -> r.queueUrl(eventsQueueUrl).waitTimeSeconds(1))
                .messages().get(0).body());
        assertEquals("pushdeploy", outcomeEvent.path("source").asText());
        assertEquals("Deployment Outcome", outcomeEvent.path("detail-type").asText());
        assertEquals("SUCCEEDED", outcomeEvent.path("detail").path("outcome").asText());
        assertEquals("push-web-v1-1-0", outcomeEvent.path("detail").path("requestId").asText());
    }

    /**
     * The topic deleted (by hand, or its key disabled): the outcome event still goes on the bus, and the step fails naming
     * the topic, the run recorded and announced once (the reconciler sends no second event), the lock released.
     */
    @Test
    void aDeletedTopicDoesNotSilenceTheOutcomeEvent() {
        String event = RequestLedgerEvents.file("finalize.json");
        invoke(new LockHandler(), event);
        world.sns.deleteTopic(r -> r.topicArn(world.topicArn));

        RuntimeException e = assertThrows(RuntimeException.class, () -> invoke(new FinalizeHandler(), event));

        assertTrue(e.getMessage().contains("sns:Publish " + world.topicArn), e.getMessage());
        JsonNode outcomeEvent = Json.tree(world.sqs.receiveMessage(r -> r.queueUrl(eventsQueueUrl).waitTimeSeconds(1))
                .messages().get(0).body());
        assertEquals("SUCCEEDED", outcomeEvent.path("detail").path("outcome").asText());
        Map<String, AttributeValue> history = world.item(PK, HISTORY_KEY);
        assertEquals("SUCCEEDED", history.get("outcome").s());
        assertTrue(history.get("published").bool(), "claimed: no retry mends a deleted topic");
        assertTrue(world.item(PK, "lock").isEmpty(), "lock released");
    }

    @Test
    void aRetryIsCheap() {
        String event = RequestLedgerEvents.file("finalize.json");
        invoke(new LockHandler(), event);
        FinalizeResult first = Json.convert(invoke(new FinalizeHandler(), event), FinalizeResult.class);
        assertEquals(1, world.notifications().size());
        long imageVersion = version(IMAGE_PARAMETER);

        FinalizeResult again = Json.convert(invoke(new FinalizeHandler(), event), FinalizeResult.class);

        assertEquals(first, again);
        assertTrue(world.notifications().isEmpty(), "not published twice");
        assertEquals(imageVersion, version(IMAGE_PARAMETER), "an unchanged parameter is not rewritten");
        assertEquals(1, world.dynamo.query(r -> r.tableName(World.TABLE).keyConditionExpression("pk = :pk AND begins_with(sk, :h)")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(PK), ":h", AttributeValue.fromS("hist#")))).count());
    }

    @Test
    void aFailedDeployTakesItsReasonFromTheCaughtError() {
        ObjectNode document = (ObjectNode) Json.tree(RequestLedgerEvents.file("finalize.json"));
        invoke(new LockHandler(), document.toString());
        world.ecs.updateService(r -> r.cluster(World.CLUSTER).service(World.SERVICE).taskDefinition(world.liveTaskDefinition));
        document.remove("check");
        document.set("result", Json.tree("{\"outcome\":\"ROLLED_BACK\"}"));
        document.set("error", Json.tree("""
                {"Error":"dev.pushdeploy.error.AwsFailureException",
                 "Cause":"{\\"errorType\\":\\"dev.pushdeploy.error.AwsFailureException\\",\\"errorMessage\\":\\"ecs:DescribeServices pushdeploy/web failed: AccessDenied\\"}"}"""));

        FinalizeResult result = Json.convert(invoke(new FinalizeHandler(), document.toString()), FinalizeResult.class);

        assertEquals(Outcome.ROLLED_BACK, result.outcome());
        assertEquals("dev.pushdeploy.error.AwsFailureException: ecs:DescribeServices pushdeploy/web failed: AccessDenied", result.reason());
        assertEquals("dev.pushdeploy.error.AwsFailureException", world.item(PK, HISTORY_KEY).get("error").s());
        assertEquals(world.liveTaskDefinition, result.taskDefinition(), "web:1 is live again");
        assertEquals(world.repositoryUri + "@" + V1_0_0, parameter(IMAGE_PARAMETER), "the stack keeps the image that is live");
        assertEquals("ROLLED_BACK", world.item(PK, HISTORY_KEY).get("outcome").s());
        assertEquals("ROLLED_BACK", Json.tree(world.notifications().get(0)).path("outcome").asText());
        assertTrue(world.item(PK, "lock").isEmpty());
    }

    private String register(String digest, String slot) {
        return world.ecs.registerTaskDefinition(r -> r.family(World.SERVICE).networkMode(NetworkMode.AWSVPC)
                        .requiresCompatibilities(Compatibility.FARGATE).cpu("256").memory("512")
                        .containerDefinitions(c -> c.name(World.CONTAINER).image(world.repositoryUri + "@" + digest).essential(true)
                                .secrets(Secret.builder().name("APP_SIGNING_KEY").valueFrom(World.SIGNING_KEY_PARAMETER + "/" + slot).build())))
                .taskDefinition().taskDefinitionArn();
    }

    private String status(String arn) {
        TaskDefinitionStatus status = world.ecs.describeTaskDefinition(r -> r.taskDefinition(arn)).taskDefinition().status();
        return status.toString();
    }

    private String parameter(String name) {
        return world.ssm.getParameter(r -> r.name(name)).parameter().value();
    }

    private long version(String name) {
        return world.ssm.getParameter(r -> r.name(name)).parameter().version();
    }
}
