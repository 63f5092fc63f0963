package dev.pushdeploy.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import dev.pushdeploy.adapter.aws.CallDeadline;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.ServiceScoped;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StepHandlerTest {
    record Input(String cluster, String name) implements ServiceScoped {
        @Override
        public String serviceKey() {
            return cluster + "/web";
        }
    }

    record Output(String greeting) {
    }

    static final class Echo extends StepHandler<Input, Output> {
        Echo() {
            super(Input.class, "Echo");
        }

        @Override
        protected Output handle(Input input, StepLog log) {
            if (input.name() == null) {
                throw new InvalidRequestException("name", "is required");
            }
            return new Output("hello " + input.name());
        }
    }

    private static String run(StepHandler<?, ?> handler, String json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), out, null);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void readsTheInputRecordIgnoringUnknownFieldsAndWritesTheOutputRecord() {
        assertEquals("{\"greeting\":\"hello web\"}", run(new Echo(), "{\"name\":\"web\",\"cluster\":\"c\",\"extra\":[1,2]}"));
    }

    @Test
    void domainExceptionsPropagateSoTheirClassNameBecomesTheLambdaErrorType() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> run(new Echo(), "{}"));
        assertEquals("name: is required", e.getMessage());
    }

    @ParameterizedTest(name = "[{index}] <{0}>")
    @ValueSource(strings = {"{\"name\": ", "not json", "[1, 2]", "\"web\"", "null", "", "{\"name\": {\"first\": \"w\"}}"})
    void inputThatIsNotTheStepsRecordIsAnInvalidRequestNotAParserError(String json) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> run(new Echo(), json));
        assertEquals("input", e.field());
        assertNull(e.getCause(), "no parser exception travels with it");
    }

    static final class Deadline extends StepHandler<Input, Output> {
        Deadline() {
            super(Input.class, "Deadline");
        }

        @Override
        protected Output handle(Input input, StepLog log) {
            return new Output(CallDeadline.left().map(left -> Long.toString(left.toSeconds())).orElse("none"));
        }
    }

    /** A Lambda context with {@code remainingMillis} left and nothing else. */
    private static Context remaining(int remainingMillis) {
        return (Context) Proxy.newProxyInstance(Context.class.getClassLoader(), new Class<?>[] {Context.class},
                (proxy, method, args) -> method.getName().equals("getRemainingTimeInMillis") ? remainingMillis : null);
    }

    @Test
    void theInvocationsCallsEndTheMarginBeforeTheFunctionsTimeout() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new Deadline().handleRequest(new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)), out, remaining(60_000));

        long expected = Duration.ofSeconds(60).minus(StepHandler.ANSWER_MARGIN).toSeconds();
        assertTrue(Optional.of(out.toString(StandardCharsets.UTF_8)).filter(o -> o.equals("{\"greeting\":\"" + expected + "\"}")
                || o.equals("{\"greeting\":\"" + (expected - 1) + "\"}")).isPresent(), out.toString(StandardCharsets.UTF_8));
        assertEquals("{\"greeting\":\"none\"}", run(new Deadline(), "{}"), "without a context, the clients' own bound");
        assertTrue(CallDeadline.left().isEmpty(), "the deadline ends with the invocation");
    }

    @Test
    void primingBeforeCheckpointBindsTheInputType() {
        assertDoesNotThrow(() -> new Echo().beforeCheckpoint(null));
    }
}
