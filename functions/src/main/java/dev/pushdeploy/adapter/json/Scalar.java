package dev.pushdeploy.adapter.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.jr.ob.JSONObjectException;
import com.fasterxml.jackson.jr.ob.api.ValueReader;
import com.fasterxml.jackson.jr.ob.impl.JSONReader;
import java.io.IOException;

/**
 * Strings, numbers and booleans read as what they are: a value of another JSON type is an error
 * naming the field (jackson-jr's own readers would coerce it, or drop an object to null).
 */
final class Scalar extends ValueReader {
    private final String expected;
    private final JsonToken[] tokens;
    private final Object absent;

    private Scalar(Class<?> type, String expected, Object absent, JsonToken... tokens) {
        super(type);
        this.expected = expected;
        this.tokens = tokens;
        this.absent = absent;
    }

    /** The strict reader of {@code type}, or null when it is not a scalar type read here. */
    static Scalar of(Class<?> type) {
        if (type == String.class) {
            return new Scalar(type, "a string", null, JsonToken.VALUE_STRING);
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return new Scalar(type, "an integer", type.isPrimitive() ? (type == int.class ? (Object) 0 : (Object) 0L) : null,
                    JsonToken.VALUE_NUMBER_INT);
        }
        if (type == Double.class || type == double.class) {
            return new Scalar(type, "a number", type.isPrimitive() ? 0.0 : null, JsonToken.VALUE_NUMBER_INT, JsonToken.VALUE_NUMBER_FLOAT);
        }
        if (type == Boolean.class || type == boolean.class) {
            return new Scalar(type, "a boolean", type.isPrimitive() ? false : null, JsonToken.VALUE_TRUE, JsonToken.VALUE_FALSE);
        }
        return null;
    }

    @Override
    public Object read(JSONReader reader, JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return absent;
        }
        for (JsonToken expectedToken : tokens) {
            if (token == expectedToken) {
                return value(parser);
            }
        }
        String field = parser.currentName();
        throw new JSONObjectException((field == null ? "" : field + ": ") + "must be " + expected + ", not " + kind(token));
    }

    private Object value(JsonParser parser) throws IOException {
        if (valueType() == String.class) {
            return parser.getText();
        }
        if (valueType() == Integer.class || valueType() == int.class) {
            return parser.getIntValue();
        }
        if (valueType() == Long.class || valueType() == long.class) {
            return parser.getLongValue();
        }
        if (valueType() == Double.class || valueType() == double.class) {
            return parser.getDoubleValue();
        }
        return parser.currentToken() == JsonToken.VALUE_TRUE;
    }

    private static String kind(JsonToken token) {
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            default -> token.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
