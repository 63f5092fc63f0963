package dev.pushdeploy.local.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.endpoint.AwsRequest;
import dev.pushdeploy.local.endpoint.AwsResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LambdaRuntimeTest {
    final List<String> log = new CopyOnWriteArrayList<>();
    final LambdaRuntime runtime = new LambdaRuntime(List.of(
            new FunctionSpec("EchoFunction", EchoHandler.class.getName() + "::handleRequest", Map.of("GREETING", "hello"), 60, 512),
            new FunctionSpec("BareFunction", EchoHandler.class.getName() + "::handleRequest", Map.of(), 3, 128),
            new FunctionSpec("FailingFunction", FailingHandler.class.getName() + "::handleRequest", Map.of("GREETING", "x"), 60, 512),
            new FunctionSpec("SlowFunction", SlowHandler.class.getName() + "::handleRequest", Map.of(), 1, 128)),
            log::add, Clock.fixed(Instant.parse("2030-01-02T03:04:05Z"), ZoneOffset.UTC));

    @Test
    void anInvokeByAliasArnRunsTheHandlerInProcessWithItsEnvironment() {
        AwsResponse response = invoke("arn:aws:lambda:us-east-1:123456789012:function:EchoFunction:live",
                "{\"executionName\": \"run-7\", \"x\": 1}");
        assertEquals(200, response.status());
        assertNull(response.headers().get("X-Amz-Function-Error"));
        JsonNode answer = Json.tree(response.bodyText());
        assertEquals("hello", answer.path("greeting").asText());
        assertEquals("run-7", answer.path("execution").asText());
        assertEquals(1, answer.path("input").path("x").asInt());
        assertEquals("2030-01-02T03:04:05Z", answer.path("now").asText(), "built with the runtime's clock");
        assertTrue(log.contains("EchoFunction echo EchoFunction"));
        assertEquals(512, answer.path("memoryMb").asInt());
        int remaining = answer.path("remainingMillis").asInt();
        assertTrue(remaining > 50_000 && remaining <= 60_000, "the function's 60 s timeout: " + remaining);
    }

    @Test
    void theExecutionOfAStepInputIsItsRequestsId() {
        JsonNode answer = Json.tree(invoke("EchoFunction", "{\"request\": {\"requestId\": \"run-9\"}}").bodyText());
        assertEquals("run-9", answer.path("execution").asText());
    }

    @Test
    void aFunctionGetsOnlyItsOwnEnvironment() {
        invoke("EchoFunction", "{}");
        AwsResponse response = invoke("BareFunction", "{}");
        assertEquals("Unhandled", response.headers().get("X-Amz-Function-Error").get(0));
        JsonNode error = Json.tree(response.bodyText());
        assertEquals("dev.pushdeploy.error.ConfigurationException", error.path("errorType").asText());
        assertEquals("environment variable GREETING is not set or empty", error.path("errorMessage").asText());
    }

    @Test
    void anExceptionIsLambdasErrorAnswerNamedByItsClass() {
        AwsResponse response = invoke("FailingFunction", "{}");
        assertEquals(200, response.status());
        assertEquals(List.of("Unhandled"), response.headers().get("X-Amz-Function-Error"));
        JsonNode error = Json.tree(response.bodyText());
        assertEquals("dev.pushdeploy.error.TransientException", error.path("errorType").asText());
        assertEquals("ecs:DescribeServices failed transiently: Rate exceeded", error.path("errorMessage").asText());
    }

    @Test
    void aHandlerStillRunningAtItsFunctionsTimeoutGetsLambdasTimeoutErrorAndIsNotReused() {
        int built = SlowHandler.INSTANCES.get();
        long start = System.nanoTime();
        AwsResponse response = invoke("SlowFunction", "{\"sleepMillis\": 3000}");
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertEquals(List.of("Unhandled"), response.headers().get("X-Amz-Function-Error"));
        JsonNode error = Json.tree(response.bodyText());
        assertEquals("Sandbox.Timedout", error.path("errorType").asText());
        assertEquals("Task timed out after 1.00 seconds", error.path("errorMessage").asText());
        assertTrue(millis >= 1000 && millis < 2500, "answered at the 1 s timeout, not when the handler ended: " + millis + " ms");

        int first = Json.tree(invoke("SlowFunction", "{}").bodyText()).path("instance").asInt();
        int second = Json.tree(invoke("SlowFunction", "{}").bodyText()).path("instance").asInt();
        assertEquals(built + 2, first, "the timed-out instance was not reused");
        assertEquals(first, second, "an instance that answered is kept warm");
    }

    @Test
    void anUnknownFunctionIsNotFound() {
        AwsResponse response = invoke("NoSuchFunction", "{}");
        assertEquals(404, response.status());
        assertEquals(List.of("ResourceNotFoundException"), response.headers().get("x-amzn-ErrorType"));
    }

    @Test
    void otherRequestsAreNotTheRuntimes() {
        AwsRequest describe = new AwsRequest("POST", "/", null, Map.of(), new byte[0]);
        assertTrue(runtime.handle(describe).isEmpty());
    }

    @Test
    void aFaultBeforeTheWorkFailsTheNthInvocationWithoutRunningTheHandler() {
        runtime.inject(Fault.crashBefore("EchoFunction", 2));
        int before = EchoHandler.RUNS.get();
        assertNull(invoke("EchoFunction", "{}").headers().get("X-Amz-Function-Error"));
        AwsResponse crashed = invoke("EchoFunction", "{}");
        assertEquals("java.lang.RuntimeException", Json.tree(crashed.bodyText()).path("errorType").asText());
        assertEquals(before + 1, EchoHandler.RUNS.get());
        assertNull(invoke("EchoFunction", "{}").headers().get("X-Amz-Function-Error"));
        assertEquals(3, runtime.invocations("EchoFunction"));
    }

    @Test
    void aFaultAfterTheWorkRunsTheHandlerAndLosesItsAnswer() {
        runtime.inject(Fault.crashAfter("EchoFunction", 1));
        int before = EchoHandler.RUNS.get();
        AwsResponse lost = invoke("EchoFunction", "{}");
        assertEquals(List.of("Unhandled"), lost.headers().get("X-Amz-Function-Error"));
        assertEquals(before + 1, EchoHandler.RUNS.get());
    }

    @Test
    void aResetForgetsFaultsAndCounts() {
        runtime.inject(Fault.crashBefore("EchoFunction", 1));
        runtime.reset();
        assertNull(invoke("EchoFunction", "{}").headers().get("X-Amz-Function-Error"));
        assertEquals(1, runtime.invocations("EchoFunction"));
    }

    private AwsResponse invoke(String function, String payload) {
        AwsRequest request = new AwsRequest("POST", "/2015-03-31/functions/" + function.replace(":", "%3A") + "/invocations",
                null, Map.of("Content-Type", List.of("application/json")), payload.getBytes(StandardCharsets.UTF_8));
        return runtime.handle(request).orElseThrow();
    }
}
