package dev.pushdeploy.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.ServiceScoped;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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

    @Test
    void primingBeforeCheckpointBindsTheInputType() {
        assertDoesNotThrow(() -> new Echo().beforeCheckpoint(null));
    }
}
