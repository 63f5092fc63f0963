package dev.pushdeploy.local.stack;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a CloudFormation/SAM template written in YAML into a JSON tree, turning the short-form
 * intrinsics into their long form: {@code !Ref X} → {@code {"Ref": "X"}}, {@code !GetAtt A.B} →
 * {@code {"Fn::GetAtt": ["A", "B"]}}, {@code !Sub ...} → {@code {"Fn::Sub": ...}}, and so on.
 */
public final class CfnYaml {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private CfnYaml() {
    }

    public static JsonNode read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static JsonNode parse(String yaml) {
        try (YAMLParser parser = (YAMLParser) new YAMLFactory().createParser(yaml)) {
            JsonToken first = parser.nextToken();
            return first == null ? NODES.objectNode() : value(parser);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a valid YAML template: " + e.getMessage(), e);
        }
    }

    private static JsonNode value(YAMLParser parser) throws IOException {
        String tag = parser.getTypeId();
        JsonNode plain = switch (parser.currentToken()) {
            case START_OBJECT -> {
                ObjectNode object = NODES.objectNode();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    object.set(name, value(parser));
                }
                yield object;
            }
            case START_ARRAY -> {
                ArrayNode array = NODES.arrayNode();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    array.add(value(parser));
                }
                yield array;
            }
            case VALUE_STRING -> NODES.textNode(parser.getText());
            case VALUE_NUMBER_INT -> NODES.numberNode(parser.getLongValue());
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDecimalValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new IllegalArgumentException("unexpected YAML token " + parser.currentToken());
        };
        return tag == null ? plain : intrinsic(tag, plain);
    }

    private static JsonNode intrinsic(String tag, JsonNode argument) {
        ObjectNode node = NODES.objectNode();
        switch (tag) {
            case "Ref", "Condition" -> node.set(tag, argument);
            case "GetAtt" -> {
                if (argument.isTextual()) {
                    String text = argument.asText();
                    int dot = text.indexOf('.');
                    node.set("Fn::GetAtt", NODES.arrayNode()
                            .add(dot < 0 ? text : text.substring(0, dot))
                            .add(dot < 0 ? "" : text.substring(dot + 1)));
                } else {
                    node.set("Fn::GetAtt", argument);
                }
            }
            default -> node.set("Fn::" + tag, argument);
        }
        return node;
    }
}
