package dev.pushdeploy.local.bootstrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.pushdeploy.local.lambda.FunctionSpec;
import dev.pushdeploy.local.lambda.LambdaRuntime;
import dev.pushdeploy.local.stack.PipelineTemplate;
import dev.pushdeploy.local.template.Deployment;
import dev.pushdeploy.ops.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * CloudFormation's custom resources ({@value #TYPE} and {@code Custom::*}) whose {@code ServiceToken}
 * is the ARN of a function of the same stack, provided as CloudFormation provides them: the
 * function is invoked (through the local Lambda runtime) with CloudFormation's request
 * ({@code RequestType} Create, Update or Delete, {@code RequestId}, {@code ResponseURL},
 * {@code ResourceType}, {@code LogicalResourceId}, {@code StackId}, {@code ResourceProperties}
 * with {@code ServiceToken}, their scalars as strings; on Update and Delete the
 * {@code PhysicalResourceId}, on Update the {@code OldResourceProperties}), and the deploy waits
 * for the JSON document the function PUTs to the response URL (served here, on the loopback
 * interface, for that one request): {@code Status} SUCCESS or FAILED, {@code Reason},
 * {@code PhysicalResourceId}, the request's ids, {@code Data} (what {@code Fn::GetAtt} reads). A
 * FAILED answer, an invalid one and no answer within {@code ServiceTimeout} (default 3600 s) fail
 * the deploy, naming the resource. Lambda freezes a function once it returns, so an answer not
 * sent by then never comes: the local deploy gives up {@value #GRACE_SECONDS} s after the function
 * returned rather than at the timeout.
 */
final class CustomResources {
    static final String TYPE = "AWS::CloudFormation::CustomResource";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** CloudFormation's limit on a response body. */
    private static final int RESPONSE_MAX_BYTES = 4096;
    private static final int SERVICE_TIMEOUT_DEFAULT = 3600;
    private static final int GRACE_SECONDS = 5;

    /** Invokes a function of the stack as Lambda would (deploying it first). */
    interface Functions {
        LambdaRuntime.Result invoke(FunctionSpec function, byte[] payload);
    }

    /**
     * What the provider answered.
     *
     * @param physicalId its {@code PhysicalResourceId} (what {@code Ref} answers)
     * @param data       its {@code Data} (what {@code Fn::GetAtt} answers), values as text
     */
    record Response(String physicalId, Map<String, String> data) {
        Response {
            data = Map.copyOf(data);
        }
    }

    private final Functions functions;

    CustomResources(Functions functions) {
        this.functions = functions;
    }

    static boolean isCustom(String type) {
        return TYPE.equals(type) || type != null && type.startsWith("Custom::");
    }

    Response create(Deployment stack, String id, JsonNode properties) {
        return send(stack, id, "Create", properties, null, null);
    }

    Response update(Deployment stack, String id, String physicalId, JsonNode before, JsonNode properties) {
        if (!before.path("ServiceToken").equals(properties.path("ServiceToken"))) {
            throw new IllegalStateException("custom resource " + id + ": its ServiceToken cannot change ("
                    + before.path("ServiceToken").asText() + " -> " + properties.path("ServiceToken").asText() + ")");
        }
        return send(stack, id, "Update", properties, physicalId, before);
    }

    void delete(Deployment stack, String id, String physicalId, JsonNode properties) {
        send(stack, id, "Delete", properties, physicalId, null);
    }

    private Response send(Deployment stack, String id, String requestType, JsonNode properties, String physicalId, JsonNode before) {
        String type = stack.template().type(id);
        String resource = "custom resource " + id + " (" + type + ")";
        FunctionSpec function = function(stack, resource, properties.path("ServiceToken").asText(""));
        int timeout = serviceTimeout(resource, properties);
        String requestId = UUID.randomUUID().toString();
        CompletableFuture<byte[]> answered = new CompletableFuture<>();
        HttpServer server = responseUrl(requestId, answered);
        try {
            ObjectNode request = Json.object();
            request.put("RequestType", requestType);
            request.put("RequestId", requestId);
            request.put("ResponseURL", "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort()
                    + "/" + requestId);
            request.put("ResourceType", type);
            request.put("LogicalResourceId", id);
            request.put("StackId", stack.stackId());
            request.set("ResourceProperties", strings(properties));
            if (physicalId != null) {
                request.put("PhysicalResourceId", physicalId);
            }
            if (before != null) {
                request.set("OldResourceProperties", strings(before));
            }
            byte[] body = invoke(resource, requestType, function, request, answered, timeout);
            return response(resource, requestType, request, body);
        } finally {
            server.stop(0);
        }
    }

    /** The stack's function the token names (its ARN, perhaps qualified). */
    private static FunctionSpec function(Deployment stack, String resource, String token) {
        if (token.startsWith("arn:aws:lambda:" + stack.region() + ":" + stack.account() + ":function:")) {
            String name = LambdaRuntime.functionName(token);
            for (String id : stack.template().resources("AWS::Lambda::Function").keySet()) {
                if (stack.exists(id) && stack.ref(id).equals(name)) {
                    return new PipelineTemplate(stack).function(id);
                }
            }
        }
        throw new IllegalStateException(resource + ": ServiceToken '" + token + "' is not the ARN of a function of the stack"
                + " (the local runtime provides custom resources with the template's own functions only)");
    }

    private static int serviceTimeout(String resource, JsonNode properties) {
        JsonNode value = properties.path("ServiceTimeout");
        if (value.isMissingNode()) {
            return SERVICE_TIMEOUT_DEFAULT;
        }
        try {
            int seconds = Integer.parseInt(value.asText());
            if (seconds >= 1 && seconds <= SERVICE_TIMEOUT_DEFAULT) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(resource + ": ServiceTimeout must be 1 to 3600 seconds, not " + value);
    }

    private static HttpServer responseUrl(String requestId, CompletableFuture<byte[]> answered) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                try (exchange) {
                    if (!"PUT".equals(exchange.getRequestMethod()) || !exchange.getRequestURI().getPath().equals("/" + requestId)) {
                        exchange.sendResponseHeaders(403, -1);
                        return;
                    }
                    answered.complete(exchange.getRequestBody().readNBytes(RESPONSE_MAX_BYTES + 1));
                    exchange.sendResponseHeaders(200, -1);
                }
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve a custom resource's response URL", e);
        }
    }

    /** Invokes the function and waits for its answer at the response URL. */
    private byte[] invoke(String resource, String requestType, FunctionSpec function, ObjectNode request,
                          CompletableFuture<byte[]> answered, int timeoutSeconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        CompletableFuture<LambdaRuntime.Result> invoked = new CompletableFuture<>();
        byte[] payload = request.toString().getBytes(StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name("custom-resource " + request.path("LogicalResourceId").asText()).start(() -> {
            try {
                invoked.complete(functions.invoke(function, payload));
            } catch (RuntimeException | Error e) {
                invoked.completeExceptionally(e);
            }
        });
        String failed = resource + ": " + requestType + " got no response from " + function.name();
        try {
            LambdaRuntime.Result result = invoked.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (!answered.isDone() && result.failed()) {
                throw new IllegalStateException(failed + ", which failed: " + result.errorType() + ": " + result.errorMessage());
            }
            long grace = Math.min(deadline - System.nanoTime(), TimeUnit.SECONDS.toNanos(GRACE_SECONDS));
            return answered.get(Math.max(grace, 0), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(failed + (invoked.isDone() ? " (the function returned without sending one to the ResponseURL)"
                    : " within its ServiceTimeout of " + timeoutSeconds + " s"), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(failed + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(failed + ": interrupted", e);
        }
    }

    private static Response response(String resource, String requestType, ObjectNode request, byte[] body) {
        String prefix = resource + ": " + requestType + " ";
        if (body.length > RESPONSE_MAX_BYTES) {
            throw new IllegalStateException(prefix + "response is over " + RESPONSE_MAX_BYTES + " bytes (CloudFormation's limit)");
        }
        JsonNode response;
        try {
            response = Json.tree(new String(body, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(prefix + "response is " + e.getMessage(), e);
        }
        String status = response.path("Status").asText("");
        if (status.equals("FAILED")) {
            throw new IllegalStateException(prefix + "FAILED: " + response.path("Reason").asText("(no Reason)"));
        }
        if (!status.equals("SUCCESS")) {
            throw new IllegalStateException(prefix + "response has Status '" + status + "', not SUCCESS or FAILED");
        }
        for (String copied : new String[] {"RequestId", "StackId", "LogicalResourceId"}) {
            if (!request.path(copied).equals(response.path(copied))) {
                throw new IllegalStateException(prefix + "response has " + copied + " " + response.path(copied)
                        + ", not the request's " + request.path(copied));
            }
        }
        String physicalId = response.path("PhysicalResourceId").asText("");
        if (physicalId.isEmpty()) {
            throw new IllegalStateException(prefix + "response has no PhysicalResourceId");
        }
        if (requestType.equals("Delete")) {
            return new Response(physicalId, Map.of());
        }
        Map<String, String> data = new LinkedHashMap<>();
        response.path("Data").properties().forEach(e -> data.put(e.getKey(),
                e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
        return new Response(physicalId, data);
    }

    /** The properties as CloudFormation sends them: every scalar a string. */
    private static JsonNode strings(JsonNode node) {
        if (node.isObject()) {
            ObjectNode copy = NODES.objectNode();
            node.properties().forEach(e -> copy.set(e.getKey(), strings(e.getValue())));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = NODES.arrayNode();
            node.forEach(element -> copy.add(strings(element)));
            return copy;
        }
        return node.isNull() ? node : NODES.textNode(node.asText());
    }
}
