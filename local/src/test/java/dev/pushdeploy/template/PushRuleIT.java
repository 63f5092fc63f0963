package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.template.Deployment;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.event.ruler.Machine;

/**
 * The push rule's own event pattern, read from template.yaml and evaluated for the default
 * deployment, installed on the emulator's EventBridge with an SQS target (EventBridge cannot
 * target Step Functions there): the sample push for the stack's repository is
 * delivered; a failed push, a push to another repository and a DELETE are not. AWS's own matcher
 * (event-ruler) agrees on every sample.
 */
@ExtendWith(EmulatorExtension.class)
class PushRuleIT {
    private static final Deployment STACK = Deployments.withRelease(Map.of(), "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:" + "1".repeat(64));

    private EventBridgeClient events;
    private SqsClient sqs;
    private String queueUrl;
    private JsonNode pattern;

    @BeforeEach
    void installTheRule(Emulator emulator) {
        events = emulator.client(EventBridgeClient.builder());
        sqs = emulator.client(SqsClient.builder());
        queueUrl = sqs.createQueue(r -> r.queueName("deployments")).queueUrl();
        String queueArn = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNamesWithStrings("QueueArn"))
                .attributesAsStrings().get("QueueArn");
        JsonNode rule = STACK.properties("PushRule");
        pattern = rule.path("EventPattern");
        events.putRule(r -> r.name("push").eventPattern(pattern.toString()).state(rule.path("State").asText()));
        events.putTargets(r -> r.rule("push").targets(t -> t.id("deploy").arn(queueArn)));
    }

    private static ObjectNode sample(String file) throws IOException {
        return (ObjectNode) Json.tree(Files.readString(Repo.events(file)));
    }

    private static ObjectNode withDetail(ObjectNode event, String field, String value) {
        ObjectNode copy = event.deepCopy();
        ((ObjectNode) copy.path("detail")).put(field, value);
        return copy;
    }

    /** Puts the event on the bus; returns what reached the queue. */
    private List<Message> deliver(JsonNode event) {
        PutEventsRequestEntry entry = PutEventsRequestEntry.builder()
                .source(event.path("source").asText())
                .detailType(event.path("detail-type").asText())
                .detail(event.path("detail").toString())
                .build();
        assertEquals(0, events.putEvents(r -> r.entries(entry)).failedEntryCount());
        return sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1)).messages();
    }

    private boolean rulerMatches(JsonNode event) throws Exception {
        Machine machine = new Machine();
        machine.addRule("push", pattern.toString());
        return machine.rulesForJSONEvent(event.toString()).contains("push");
    }

    @Test
    void aSuccessfulPushToTheRepositoryStartsADeployment() throws Exception {
        ObjectNode push = sample("ecr-push.json");
        assertEquals("web", push.path("detail").path("repository-name").asText(), "the sample pushes the stack's repository");

        List<Message> delivered = deliver(push);

        assertEquals(1, delivered.size());
        JsonNode received = Json.tree(delivered.get(0).body());
        assertEquals(push.path("detail"), received.path("detail"));
        assertEquals("aws.ecr", received.path("source").asText());
        assertTrue(rulerMatches(push));
    }

    @Test
    void aFailedPushAnotherRepositoryAndADeleteDoNot() throws Exception {
        ObjectNode push = sample("ecr-push.json");
        ObjectNode delete = sample("ecr-push-delete.json");
        assertEquals("DELETE", delete.path("detail").path("action-type").asText());
        Map<String, JsonNode> others = Map.of(
                "failed push", withDetail(push, "result", "FAILURE"),
                "push to another repository", withDetail(push, "repository-name", "api"),
                "push of the pipeline's keep tag", withDetail(push, "image-tag", "pushdeploy-web-12"),
                "delete", delete);

        for (Map.Entry<String, JsonNode> other : others.entrySet()) {
            assertEquals(List.of(), deliver(other.getValue()), other.getKey() + " is not delivered");
            assertTrue(!rulerMatches(other.getValue()), other.getKey() + " does not match for event-ruler either");
        }
        assertEquals(1, deliver(push).size(), "the rule is live: the push itself still arrives");
    }

    @Test
    void theRuleTargetsTheStateMachineWithRetriesAndADeadLetterQueue() {
        JsonNode target = STACK.template().properties("PushRule").path("Targets").get(0);
        assertEquals("StateMachine", target.path("Arn").path("Ref").asText());
        assertEquals("PushRuleRole", target.path("RoleArn").path("Fn::GetAtt").get(0).asText());
        assertTrue(target.path("RetryPolicy").path("MaximumRetryAttempts").asInt() > 0);
        assertTrue(target.path("RetryPolicy").path("MaximumEventAgeInSeconds").asInt() >= 60);
        assertEquals("PushDeadLetterQueue", target.path("DeadLetterConfig").path("Arn").path("Fn::GetAtt").get(0).asText());
        assertEquals("ENABLED", STACK.properties("PushRule").path("State").asText());
        assertEquals("ENABLED", Deployments.withRelease(Map.of(), "none").properties("PushRule").path("State").asText(),
                "before the first release too: the first push is the first release");
    }
}
