package dev.pushdeploy.adapter.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.jr.ob.api.ValueReader;
import com.fasterxml.jackson.jr.ob.impl.JSONReader;
import dev.pushdeploy.model.StepError;
import java.io.IOException;

/**
 * A Catch output of the state document ({@code $.error}, {@code $.rollbackError},
 * {@code $.finalizeError}) in Step Functions' shape, {@code {"Error", "Cause"}}, read as a
 * {@link StepError}: the error name, and the message (Lambda's {@code errorMessage} when the cause
 * is its error document, else the cause).
 */
final class CaughtError extends ValueReader {
    CaughtError() {
        super(StepError.class);
    }

    @Override
    public Object read(JSONReader reader, JsonParser parser) throws IOException {
        Object caught = reader.readValue();
        if (caught == null) {
            return null;
        }
        return new StepError(text(Json.member(caught, "Error")), message(text(Json.member(caught, "Cause"))));
    }

    private static String text(Object node) {
        return node == null ? null : node.toString();
    }

    static String message(String cause) {
        if (cause == null || !cause.stripLeading().startsWith("{")) {
            return cause;
        }
        try {
            Object message = Json.member(Json.parse(cause), "errorMessage");
            return message instanceof String text && !text.isBlank() ? text : cause;
        } catch (IllegalArgumentException notJson) {
            return cause;
        }
    }
}
