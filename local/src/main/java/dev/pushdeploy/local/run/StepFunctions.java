package dev.pushdeploy.local.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.adapter.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * The few Step Functions calls the runtime makes, as raw JSON (so the execution history can be
 * written out exactly as the service returns it).
 */
public final class StepFunctions {
    private final URI endpoint;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public StepFunctions(URI endpoint) {
        this.endpoint = endpoint;
    }

    public String createStateMachine(String name, String definition, String roleArn) {
        ObjectNode request = Json.object().put("name", name).put("definition", definition).put("roleArn", roleArn);
        return call("CreateStateMachine", request).path("stateMachineArn").asText();
    }

    public String startExecution(String stateMachineArn, String name, String input) {
        ObjectNode request = Json.object().put("stateMachineArn", stateMachineArn).put("name", name).put("input", input);
        return call("StartExecution", request).path("executionArn").asText();
    }

    public JsonNode describeExecution(String executionArn) {
        return call("DescribeExecution", Json.object().put("executionArn", executionArn));
    }

    /** Every execution of a state machine (name, ARN, status, dates), as ListExecutions pages them. */
    public List<JsonNode> executions(String stateMachineArn) {
        List<JsonNode> executions = new java.util.ArrayList<>();
        allPages("ListExecutions", Json.object().put("stateMachineArn", stateMachineArn), "executions").forEach(executions::add);
        return executions;
    }

    /** StopExecution, as an operator would. */
    public void stopExecution(String executionArn, String error, String cause) {
        ObjectNode request = Json.object().put("executionArn", executionArn);
        if (error != null) {
            request.put("error", error);
        }
        if (cause != null) {
            request.put("cause", cause);
        }
        call("StopExecution", request);
    }

    /** Every event of an execution, oldest first. */
    public ArrayNode history(String executionArn) {
        return allPages("GetExecutionHistory", Json.object().put("executionArn", executionArn), "events");
    }

    /** The items under {@code field} of every page of a listing, in order. */
    private ArrayNode allPages(String action, ObjectNode request, String field) {
        ArrayNode items = Json.mapper().createArrayNode();
        String token = null;
        do {
            ObjectNode page = request.deepCopy().put("maxResults", 1000);
            if (token != null) {
                page.put("nextToken", token);
            }
            JsonNode answer = call(action, page);
            answer.path(field).forEach(items::add);
            token = answer.hasNonNull("nextToken") ? answer.get("nextToken").asText() : null;
        } while (token != null);
        return items;
    }

    private JsonNode call(String operation, ObjectNode body) {
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-amz-json-1.0")
                .header("X-Amz-Target", "AWSStepFunctions." + operation)
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=local/20250101/us-east-1/states/aws4_request, "
                        + "SignedHeaders=host, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("states:" + operation + " answered " + response.statusCode() + ": " + response.body());
            }
            return Json.tree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("states:" + operation + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
