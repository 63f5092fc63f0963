package dev.pushdeploy.local.template;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Reads a CloudFormation/SAM template written in YAML into a JSON tree, turning the short-form
 * intrinsic tags into their long form: {@code !Ref X} → {@code {"Ref": "X"}}, {@code !GetAtt A.B}
 * → {@code {"Fn::GetAtt": ["A", "B"]}}, {@code !Condition C} → {@code {"Condition": "C"}},
 * {@code !Sub}, {@code !If}, … → {@code {"Fn::Sub": …}}. JSON templates read the same way.
 */
public final class CfnYaml {
    private static final YAMLFactory YAML = new YAMLFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> FUNCTIONS = Set.of("Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue",
            "Join", "Select", "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or", "Length", "ToJsonString");

    private CfnYaml() {
    }

    public static JsonNode read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static JsonNode parse(String text) {
        try (JsonParser parser = YAML.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new IllegalArgumentException("empty template");
            }
            return value(parser);
        } catch (IOException e) {
            throw new UncheckedIOException("not a YAML template: " + e.getMessage(), e);
        }
    }

    private static JsonNode value(JsonParser parser) throws IOException {
        Object typeId = parser.getTypeId();
        String tag = typeId == null ? null : typeId.toString();
        JsonNode plain = switch (parser.currentToken()) {
            case START_OBJECT -> object(parser);
            case START_ARRAY -> array(parser);
            case VALUE_STRING -> NODES.textNode(parser.getText());
            case VALUE_NUMBER_INT -> NODES.numberNode(parser.getLongValue());
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDecimalValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new IllegalArgumentException("unexpected " + parser.currentToken() + " at " + parser.currentLocation());
        };
        return tag == null ? plain : tagged(tag.startsWith("!") ? tag.substring(1) : tag, plain);
    }

    private static JsonNode tagged(String tag, JsonNode value) {
        ObjectNode node = NODES.objectNode();
        switch (tag) {
            case "Ref" -> node.set("Ref", value);
            case "Condition" -> node.set("Condition", value);
            case "GetAtt" -> {
                if (value.isTextual()) {
                    String[] parts = value.asText().split("\\.", 2);
                    ArrayNode pair = node.putArray("Fn::GetAtt").add(parts[0]);
                    if (parts.length > 1) {
                        pair.add(parts[1]);
                    }
                } else {
                    node.set("Fn::GetAtt", value);
                }
            }
            default -> {
                if (!FUNCTIONS.contains(tag)) {
                    throw new IllegalArgumentException("unknown YAML tag !" + tag);
                }
                node.set("Fn::" + tag, value);
            }
        }
        return node;
    }

    private static ObjectNode object(JsonParser parser) throws IOException {
        ObjectNode node = NODES.objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            parser.nextToken();
            node.set(name, value(parser));
        }
        return node;
    }

    private static ArrayNode array(JsonParser parser) throws IOException {
        ArrayNode node = NODES.arrayNode();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            node.add(value(parser));
        }
        return node;
    }
}
