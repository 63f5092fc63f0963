package dev.pushdeploy.request;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.pushdeploy.error.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The raw input text of an execution, read strictly before anything else looks at it: at most
 * {@value #MAX_BYTES} bytes of UTF-8 (an ECR event is about 1 KiB, the largest legal manual input under
 * 3 KiB), exactly one JSON value, and no object with the same key twice (which a lenient reader would
 * resolve silently, the last one winning).
 */
final class InputText {
    /** Largest input accepted, in bytes of UTF-8. */
    static final int MAX_BYTES = 8192;
    private static final ObjectReader STRICT = new ObjectMapper().reader()
            .with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY, DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '([^']{0,64})'");

    private InputText() {
    }

    static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidRequestException("input", "is required");
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new InvalidRequestException("input", "is " + bytes + " bytes long; at most " + MAX_BYTES + " are allowed");
        }
        try {
            return STRICT.readTree(text);
        } catch (MismatchedInputException e) {
            Matcher duplicate = DUPLICATE.matcher(String.valueOf(e.getOriginalMessage()));
            if (duplicate.find()) {
                throw new InvalidRequestException("input", "has the key '" + Fields.printableOrEscaped(duplicate.group(1))
                        + "' more than once in one object; give each key once");
            }
            throw new InvalidRequestException("input", problem(e));
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("input", "is not valid JSON: " + problem(e));
        }
    }

    private static String problem(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        return Fields.printableOrEscaped(message.length() > 200 ? message.substring(0, 200) + "…" : message);
    }
}
