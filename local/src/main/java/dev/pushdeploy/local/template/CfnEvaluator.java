package dev.pushdeploy.local.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates intrinsic functions the way CloudFormation would for one deployment: parameters,
 * pseudo parameters and conditions from the given values; {@code Ref}/{@code Fn::GetAtt} of
 * resources through a {@link Resources} callback (what the resources are in the world at hand).
 * {@code AWS::NoValue} removes the property or list element. Unsupported functions fail loudly.
 */
public final class CfnEvaluator {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}]+)}");

    /** Physical identities of the template's resources, as the caller's world has them. */
    public interface Resources {
        String ref(String logicalId);

        String getAtt(String logicalId, String attribute);

        /** For templates evaluated without a world: every resource reference fails. */
        Resources NONE = new Resources() {
            @Override
            public String ref(String logicalId) {
                throw new IllegalStateException("no physical id for resource " + logicalId);
            }

            @Override
            public String getAtt(String logicalId, String attribute) {
                throw new IllegalStateException("no attribute " + attribute + " for resource " + logicalId);
            }
        };
    }

    private final CfnTemplate template;
    private final Map<String, String> parameters;
    private final Map<String, String> pseudo;
    private final Resources resources;
    private final Map<String, Boolean> conditions = new HashMap<>();

    /**
     * @param parameters every parameter's value ({@link CfnTemplate#parameterValues}); lists comma-separated
     * @param pseudo     AWS::Region, AWS::AccountId, AWS::StackName, AWS::Partition, … as needed
     */
    public CfnEvaluator(CfnTemplate template, Map<String, String> parameters, Map<String, String> pseudo, Resources resources) {
        this.template = template;
        this.parameters = Map.copyOf(parameters);
        this.pseudo = Map.copyOf(pseudo);
        this.resources = resources;
    }

    /** Pseudo parameters of a stack in the given region and account (partition aws, URL suffix amazonaws.com). */
    public static Map<String, String> pseudo(String stackName, String region, String account) {
        return Map.of("AWS::StackName", stackName, "AWS::Region", region, "AWS::AccountId", account,
                "AWS::Partition", "aws", "AWS::URLSuffix", "amazonaws.com",
                "AWS::StackId", "arn:aws:cloudformation:" + region + ":" + account + ":stack/" + stackName + "/00000000-0000-0000-0000-000000000000");
    }

    public boolean condition(String name) {
        Boolean known = conditions.get(name);
        if (known == null) {
            JsonNode definition = template.conditions().path(name);
            if (definition.isMissingNode()) {
                throw new IllegalArgumentException("no condition " + name);
            }
            known = bool(definition);
            conditions.put(name, known);
        }
        return known;
    }

    /** Whether a resource (or output) with an optional Condition exists in this deployment. */
    public boolean exists(JsonNode definition) {
        JsonNode condition = definition.path("Condition");
        return condition.isMissingNode() || condition(condition.asText());
    }

    /** The value with every intrinsic function evaluated; a missing node for AWS::NoValue. */
    public JsonNode evaluate(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return MissingNode.getInstance();
        }
        if (node.isObject() && node.size() == 1) {
            String key = node.fieldNames().next();
            if (key.equals("Ref") || key.equals("Condition") || key.startsWith("Fn::")) {
                return function(key, node.get(key));
            }
        }
        if (node.isObject()) {
            ObjectNode result = NODES.objectNode();
            node.properties().forEach(e -> {
                JsonNode value = evaluate(e.getValue());
                if (!value.isMissingNode()) {
                    result.set(e.getKey(), value);
                }
            });
            return result;
        }
        if (node.isArray()) {
            ArrayNode result = NODES.arrayNode();
            for (JsonNode element : node) {
                JsonNode value = evaluate(element);
                if (!value.isMissingNode()) {
                    result.add(value);
                }
            }
            return result;
        }
        return node;
    }

    /** The evaluated value as a string (scalars only). */
    public String string(JsonNode node) {
        JsonNode value = evaluate(node);
        if (value.isMissingNode() || value.isContainerNode()) {
            throw new IllegalArgumentException("not a string value: " + node);
        }
        return value.asText();
    }

    private JsonNode function(String name, JsonNode args) {
        return switch (name) {
            case "Ref" -> ref(args.asText());
            case "Condition" -> NODES.booleanNode(condition(args.asText()));
            case "Fn::GetAtt" -> getAtt(args);
            case "Fn::Sub" -> NODES.textNode(sub(args));
            case "Fn::Join" -> NODES.textNode(join(args));
            case "Fn::Select" -> select(args);
            case "Fn::Split" -> split(args);
            case "Fn::If" -> evaluate(bool(NODES.objectNode().put("Condition", args.get(0).asText()))
                    ? args.get(1) : args.get(2));
            case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or" -> NODES.booleanNode(bool(NODES.objectNode().set(name, args)));
            case "Fn::GetAZs" -> NODES.arrayNode().add(region() + "a").add(region() + "b").add(region() + "c");
            case "Fn::Base64" -> NODES.textNode(Base64.getEncoder().encodeToString(string(args).getBytes(StandardCharsets.UTF_8)));
            case "Fn::Cidr" -> cidr(args);
            case "Fn::FindInMap" -> evaluate(template.root().path("Mappings").path(string(args.get(0)))
                    .path(string(args.get(1))).path(string(args.get(2))));
            default -> throw new IllegalArgumentException("unsupported intrinsic function " + name);
        };
    }

    private boolean bool(JsonNode node) {
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        if (node.isObject() && node.size() == 1) {
            String key = node.fieldNames().next();
            JsonNode args = node.get(key);
            switch (key) {
                case "Condition":
                    return condition(args.asText());
                case "Fn::Equals":
                    return scalar(evaluate(args.get(0))).equals(scalar(evaluate(args.get(1))));
                case "Fn::Not":
                    return !bool(args.get(0));
                case "Fn::And":
                    for (JsonNode arg : args) {
                        if (!bool(arg)) {
                            return false;
                        }
                    }
                    return true;
                case "Fn::Or":
                    for (JsonNode arg : args) {
                        if (bool(arg)) {
                            return true;
                        }
                    }
                    return false;
                default:
                    break;
            }
        }
        JsonNode value = evaluate(node);
        if (value.isBoolean() || value.isTextual() && ("true".equals(value.asText()) || "false".equals(value.asText()))) {
            return Boolean.parseBoolean(value.asText());
        }
        throw new IllegalArgumentException("not a condition: " + node);
    }

    private static String scalar(JsonNode value) {
        return value.isContainerNode() ? value.toString() : value.asText();
    }

    private String region() {
        return pseudo.getOrDefault("AWS::Region", "us-east-1");
    }

    private JsonNode ref(String name) {
        if (name.equals("AWS::NoValue")) {
            return MissingNode.getInstance();
        }
        if (name.startsWith("AWS::")) {
            String value = pseudo.get(name);
            if (value == null) {
                throw new IllegalArgumentException("no value for pseudo parameter " + name);
            }
            return NODES.textNode(value);
        }
        if (parameters.containsKey(name)) {
            String value = parameters.get(name);
            String type = template.parameterType(name);
            if (type != null && (type.startsWith("List<") || type.equals("CommaDelimitedList"))) {
                ArrayNode list = NODES.arrayNode();
                if (!value.isEmpty()) {
                    for (String element : value.split(",", -1)) {
                        list.add(element.strip());
                    }
                } else {
                    list.add("");
                }
                return list;
            }
            return NODES.textNode(value);
        }
        String logicalId = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
        if (template.resource(logicalId).isMissingNode()) {
            throw new IllegalArgumentException("Ref to unknown name " + name);
        }
        return NODES.textNode(resources.ref(name));
    }

    private JsonNode getAtt(JsonNode args) {
        String logicalId;
        String attribute;
        if (args.isTextual()) {
            String[] parts = args.asText().split("\\.", 2);
            logicalId = parts[0];
            attribute = parts[1];
        } else {
            logicalId = args.get(0).asText();
            attribute = string(args.get(1));
        }
        if (template.resource(logicalId).isMissingNode()) {
            throw new IllegalArgumentException("GetAtt of unknown resource " + logicalId);
        }
        return NODES.textNode(resources.getAtt(logicalId, attribute));
    }

    private String sub(JsonNode args) {
        String text;
        Map<String, String> variables = new HashMap<>();
        if (args.isTextual()) {
            text = args.asText();
        } else {
            text = args.get(0).asText();
            args.get(1).properties().forEach(e -> variables.put(e.getKey(), string(e.getValue())));
        }
        Matcher m = SUB_VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String variable = m.group(1);
            String value;
            if (variable.startsWith("!")) {
                value = "${" + variable.substring(1) + "}";
            } else if (variables.containsKey(variable)) {
                value = variables.get(variable);
            } else if (variable.contains(".") && !variable.startsWith("AWS::")) {
                String[] parts = variable.split("\\.", 2);
                value = getAtt(NODES.arrayNode().add(parts[0]).add(parts[1])).asText();
            } else {
                JsonNode resolved = ref(variable);
                if (resolved.isArray()) {
                    throw new IllegalArgumentException("Fn::Sub of list parameter " + variable);
                }
                value = resolved.asText();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String join(JsonNode args) {
        String delimiter = args.get(0).asText();
        JsonNode list = evaluate(args.get(1));
        StringBuilder out = new StringBuilder();
        for (Iterator<JsonNode> it = list.elements(); it.hasNext(); ) {
            out.append(scalar(it.next()));
            if (it.hasNext()) {
                out.append(delimiter);
            }
        }
        return out.toString();
    }

    private JsonNode select(JsonNode args) {
        int index = Integer.parseInt(string(args.get(0)));
        JsonNode list = evaluate(args.get(1));
        if (!list.isArray() || index < 0 || index >= list.size()) {
            throw new IllegalArgumentException("Fn::Select index " + index + " out of range of " + list);
        }
        return list.get(index);
    }

    private JsonNode split(JsonNode args) {
        String delimiter = args.get(0).asText();
        ArrayNode parts = NODES.arrayNode();
        for (String part : string(args.get(1)).split(Pattern.quote(delimiter), -1)) {
            parts.add(part);
        }
        return parts;
    }

    private JsonNode cidr(JsonNode args) {
        String block = string(args.get(0));
        int count = Integer.parseInt(string(args.get(1)));
        int hostBits = Integer.parseInt(string(args.get(2)));
        String[] parts = block.split("/");
        long base = 0;
        for (String octet : parts[0].split("\\.")) {
            base = base << 8 | Integer.parseInt(octet);
        }
        int prefix = 32 - hostBits;
        ArrayNode subnets = NODES.arrayNode();
        for (int i = 0; i < count; i++) {
            long address = base + ((long) i << hostBits);
            subnets.add(String.join(".", List.of(String.valueOf(address >> 24 & 255), String.valueOf(address >> 16 & 255),
                    String.valueOf(address >> 8 & 255), String.valueOf(address & 255))) + "/" + prefix);
        }
        return subnets;
    }
}
