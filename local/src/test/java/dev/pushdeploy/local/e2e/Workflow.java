package dev.pushdeploy.local.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.bootstrap.StackOutputs;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.run.RunResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ecs.EcsClient;

/** What the end-to-end tests do and read: pushes through the whole workflow, and the stack's state after. */
final class Workflow {
    final LocalRuntime runtime;
    final StackOutputs.Service web;
    final List<String> output = new CopyOnWriteArrayList<>();
    private final DynamoDbClient dynamo;
    private final EcsClient ecs;

    Workflow(LocalRuntime runtime) {
        this.runtime = runtime;
        this.web = runtime.stack().service();
        this.dynamo = runtime.clients().build(DynamoDbClient.builder());
        this.ecs = runtime.clients().build(EcsClient.builder());
    }

    /** A push of a new image tagged {@code tag}, its ECR event, and the run it starts. */
    RunResult push(String tag, Scenario scenario) {
        return start(tag, scenario).await();
    }

    LocalRuntime.Run start(String tag, Scenario scenario) {
        return runtime.start(pushEvent(tag), scenario, null, line -> output.add(line.format()));
    }

    String pushEvent(String tag) {
        String digest = runtime.pushImage(web.target().repository(), tag);
        return LocalRuntime.ecrPushEvent(web.target().repository(), tag, digest).toString();
    }

    RunResult run(String input, Scenario scenario) {
        RunResult result = runtime.run(input, scenario, null, line -> output.add(line.format()));
        output.add(result.summary().toString());
        return result;
    }

    String liveTaskDefinition() {
        return runtime.liveTaskDefinition(web.target().cluster(), web.target().service());
    }

    String liveImage() {
        String td = liveTaskDefinition();
        return ecs.describeTaskDefinition(r -> r.taskDefinition(td)).taskDefinition().containerDefinitions().stream()
                .filter(c -> c.name().equals(web.target().container())).findFirst().orElseThrow().image();
    }

    boolean lockHeld() {
        return !item("lock").isEmpty();
    }

    /** The history items of the service's ledger. */
    List<Map<String, AttributeValue>> history() {
        return dynamo.query(r -> r.tableName(runtime.stack().table())
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :hist)")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk()), ":hist", AttributeValue.fromS("hist#"))))
                .items();
    }

    Map<String, AttributeValue> historyOf(RunResult result) {
        String execution = result.executionArn().substring(result.executionArn().lastIndexOf(':') + 1);
        return history().stream().filter(i -> i.get("sk").s().endsWith("#" + execution)).findFirst()
                .orElseThrow(() -> new AssertionError("no history item for " + execution + " in " + history()));
    }

    /** The error names of the function invocations that failed during a run. */
    static List<String> failedInvocations(RunResult result) {
        List<String> errors = new java.util.ArrayList<>();
        for (JsonNode event : result.history()) {
            if (event.path("type").asText().equals("LambdaFunctionFailed")) {
                errors.add(event.path("lambdaFunctionFailedEventDetails").path("error").asText());
            }
        }
        return errors;
    }

    /** The outcomes in the notifications published since the last call. */
    List<String> notifiedOutcomes() {
        return runtime.notifications().stream().map(n -> Json.tree(n).path("outcome").asText()).toList();
    }

    private Map<String, AttributeValue> item(String sk) {
        return dynamo.getItem(r -> r.tableName(runtime.stack().table())
                .key(Map.of("pk", AttributeValue.fromS(pk()), "sk", AttributeValue.fromS(sk))).consistentRead(true)).item();
    }

    private String pk() {
        return "svc#" + web.target().serviceKey();
    }
}
