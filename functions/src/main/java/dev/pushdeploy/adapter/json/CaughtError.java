package dev.pushdeploy.adapter.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import dev.pushdeploy.model.StepError;
import java.io.IOException;

/**
 * A Catch output of the state document ({@code $.error}, {@code $.rollbackError},
 * {@code $.finalizeError}) in Step Functions' shape, {@code {"Error", "Cause"}}, read as a
 * {@link StepError}: the error name, and the message (Lambda's {@code errorMessage} when the cause
 * is its error document, else the cause).
 */
final class CaughtError extends StdDeserializer<StepError> {
    CaughtError() {
        super(StepError.class);
    }

    @Override
    public StepError deserialize(JsonParser parser, DeserializationContext context) throws IOException {
        JsonNode caught = parser.readValueAsTree();
        return new StepError(caught.path("Error").asText(null), message(caught.path("Cause").asText(null)));
    }

    static String message(String cause) {
        if (cause == null || !cause.stripLeading().startsWith("{")) {
            return cause;
        }
        try {
            JsonNode parsed = Json.tree(cause);
            JsonNode message = parsed.path("errorMessage");
            return message.isTextual() && !message.asText().isBlank() ? message.asText() : cause;
        } catch (IllegalArgumentException notJson) {
            return cause;
        }
    }
}
