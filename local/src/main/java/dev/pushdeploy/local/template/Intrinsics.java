package dev.pushdeploy.local.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CloudFormation's intrinsic functions for one deployment of an expanded template: {@code Ref},
 * {@code Fn::GetAtt}, {@code Fn::Sub}, {@code Fn::If} and the condition functions (with the Rules'
 * {@code Fn::Contains}), {@code Fn::Join},
 * {@code Fn::Select}, {@code Fn::Split}, {@code Fn::FindInMap}, {@code Fn::GetAZs} and
 * {@code Fn::Cidr}; {@code Fn::GetAtt Nested.Outputs.Name} of a nested stack. Parameters come resolved (SSM-typed ones read already); resources are
 * named by {@link PhysicalIds}. {@code AWS::NoValue} removes the property or list element. Any other
 * function, and a reference to a resource this deployment does not create, fails naming it.
 */
final class Intrinsics {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String OUTPUTS = "Outputs.";
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}]+)}");
    /** The functions evaluated here ({@code Condition} only inside conditions). */
    static final Set<String> FUNCTIONS = Set.of("Ref", "Condition", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split",
            "Fn::If", "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Fn::Contains", "Fn::FindInMap", "Fn::GetAZs", "Fn::Cidr");

    private final CfnTemplate template;
    private final Map<String, String> parameters;
    private final Map<String, String> pseudo;
    private final PhysicalIds resources;
    private final Deployment deployment;
    private final Map<String, Boolean> conditions = new HashMap<>();

    Intrinsics(CfnTemplate template, Map<String, String> parameters, Map<String, String> pseudo, PhysicalIds resources,
               Deployment deployment) {
        this.template = template;
        this.parameters = Map.copyOf(parameters);
        this.pseudo = Map.copyOf(pseudo);
        this.resources = resources;
        this.deployment = deployment;
    }

    boolean condition(String name) {
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

    /** Whether a resource or output with an optional {@code Condition} is part of this deployment. */
    boolean exists(JsonNode definition) {
        JsonNode condition = definition.path("Condition");
        return condition.isMissingNode() || condition(condition.asText());
    }

    /** The value with every intrinsic function evaluated; a missing node for {@code AWS::NoValue}. */
    JsonNode evaluate(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return MissingNode.getInstance();
        }
        if (node.isObject() && node.size() == 1) {
            String key = node.fieldNames().next();
            if (key.equals("Ref") || key.startsWith("Fn::")) {
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
    String string(JsonNode node) {
        JsonNode value = evaluate(node);
        if (value.isMissingNode() || value.isContainerNode()) {
            throw new IllegalArgumentException("not a string value: " + node);
        }
        return value.asText();
    }

    private JsonNode function(String name, JsonNode args) {
        return switch (name) {
            case "Ref" -> ref(args.asText());
            case "Fn::GetAtt" -> getAtt(args);
            case "Fn::Sub" -> NODES.textNode(sub(args));
            case "Fn::Join" -> NODES.textNode(join(args));
            case "Fn::Select" -> select(args);
            case "Fn::Split" -> split(args);
            case "Fn::If" -> evaluate(condition(args.get(0).asText()) ? args.get(1) : args.get(2));
            case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Fn::Contains" -> NODES.booleanNode(bool(NODES.objectNode().set(name, args)));
            case "Fn::FindInMap" -> findInMap(args);
            case "Fn::GetAZs" -> NODES.arrayNode().add(region() + "a").add(region() + "b").add(region() + "c");
            case "Fn::Cidr" -> cidr(args);
            default -> throw new IllegalArgumentException("unsupported intrinsic function " + name);
        };
    }

    private boolean bool(JsonNode node) {
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
                case "Fn::Contains": {
                    // [list of strings, string]: whether the string is one of the list's (CloudFormation's rule function)
                    String value = scalar(evaluate(args.get(1)));
                    for (JsonNode element : evaluate(args.get(0))) {
                        if (scalar(element).equals(value)) {
                            return true;
                        }
                    }
                    return false;
                }
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
        return pseudo.get("AWS::Region");
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
                for (String element : value.split(",", -1)) {
                    list.add(element.strip());
                }
                return list;
            }
            return NODES.textNode(value);
        }
        created(name, "Ref");
        return NODES.textNode(resources.ref(deployment, name));
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
        created(logicalId, "Fn::GetAtt");
        if (attribute.startsWith(OUTPUTS) && Deployment.STACK.equals(template.type(logicalId))) {
            String output = attribute.substring(OUTPUTS.length());
            String value = deployment.nested(logicalId).outputs().get(output);
            if (value == null) {
                throw new IllegalStateException("Fn::GetAtt " + logicalId + "." + attribute + ": the nested stack has no output " + output);
            }
            return NODES.textNode(value);
        }
        return NODES.textNode(resources.getAtt(deployment, logicalId, attribute));
    }

    private void created(String logicalId, String function) {
        JsonNode resource = template.resource(logicalId);
        if (resource.isMissingNode()) {
            throw new IllegalArgumentException(function + " of unknown name " + logicalId);
        }
        if (!exists(resource)) {
            throw new IllegalStateException(function + " of " + logicalId + ", which this deployment does not create (condition "
                    + resource.path("Condition").asText() + " is false)");
        }
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
        ArrayNode parts = NODES.arrayNode();
        for (String part : string(args.get(1)).split(Pattern.quote(args.get(0).asText()), -1)) {
            parts.add(part);
        }
        return parts;
    }

    private JsonNode findInMap(JsonNode args) {
        JsonNode value = template.mappings().path(string(args.get(0))).path(string(args.get(1))).path(string(args.get(2)));
        if (value.isMissingNode()) {
            throw new IllegalArgumentException("Fn::FindInMap finds nothing at " + args);
        }
        return value;
    }

    private JsonNode cidr(JsonNode args) {
        String[] block = string(args.get(0)).split("/");
        int count = Integer.parseInt(string(args.get(1)));
        int hostBits = Integer.parseInt(string(args.get(2)));
        long base = 0;
        for (String octet : block[0].split("\\.")) {
            base = base << 8 | Integer.parseInt(octet);
        }
        ArrayNode subnets = NODES.arrayNode();
        for (int i = 0; i < count; i++) {
            long address = base + ((long) i << hostBits);
            subnets.add((address >> 24 & 255) + "." + (address >> 16 & 255) + "." + (address >> 8 & 255) + "." + (address & 255)
                    + "/" + (32 - hostBits));
        }
        return subnets;
    }
}
