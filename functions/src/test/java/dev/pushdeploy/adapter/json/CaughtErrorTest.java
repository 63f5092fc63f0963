package dev.pushdeploy.adapter.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.pushdeploy.ledger.Finalizer;
import dev.pushdeploy.model.StepError;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A Catch output of the state document, {"Error", "Cause"}, read as the domain's StepError. */
class CaughtErrorTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"Error\": \"E\", \"Cause\": \"{\\\"errorMessage\\\": \\\"m\\\", \\\"errorType\\\": \\\"E\\\"}\"} | E | m",
        "{\"Error\": \"States.Timeout\", \"Cause\": \"plain text\"}                                           | States.Timeout | plain text",
        "{\"Error\": \"E\", \"Cause\": \"{\\\"errorType\\\": \\\"E\\\"}\"}                                      | E | {\"errorType\": \"E\"}",
        "{\"Error\": \"E\", \"Cause\": \"{not json\"}                                                          | E | {not json",
        "{\"Error\": \"States.TaskFailed\"}                                                                   | States.TaskFailed | "})
    void theNameAndLambdasMessageOrTheCause(String caught, String name, String message) {
        assertEquals(new StepError(name, message), Json.read(caught, StepError.class));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"error", "rollbackError"})
    void finalizesInputTakesTheStateDocumentsCatchOutputs(String field) {
        Finalizer.Input input = Json.read("{\"" + field + "\": {\"Error\": \"E\", \"Cause\": \"c\"}}", Finalizer.Input.class);
        assertEquals(new StepError("E", "c"), field.equals("error") ? input.error() : input.rollbackError());
        assertNull(field.equals("error") ? input.rollbackError() : input.error());
    }
}
