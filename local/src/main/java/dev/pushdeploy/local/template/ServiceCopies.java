package dev.pushdeploy.local.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An expanded template with more services than it declares, made the way its second service was
 * added: the second service's block is repeated once per extra service. The block is the
 * parameters named {@code Second*}, the conditions on them, the resources under those conditions
 * whose logical id names the second service ({@code Second} in it), and the outputs and rules on
 * them; copy {@code k} (the k-th service, from 3) has {@code Second} replaced by {@code Service<k>}
 * in every name (parameter {@code Service3ServiceName}, resource {@code Service3Service}, condition
 * {@code HasService3Service}) and a listener rule priority of its own. Where a shared part names the
 * second service, the copies follow it: a list element (a role's resources, the push rule's
 * repositories) is followed by one element per copy, an {@code Fn::Sub} variable (the
 * configuration document's targets) by one variable per copy, concatenated. Any other reference
 * to the block from a shared part fails, naming it: the copies would not know where they go.
 */
final class ServiceCopies {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String MARK = "Second";
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}!][^}]*)}");

    private final ObjectNode root;
    private final Set<String> parameters = new LinkedHashSet<>();
    private final Set<String> conditions = new LinkedHashSet<>();
    private final Set<String> resources = new LinkedHashSet<>();
    private final int last;

    private ServiceCopies(ObjectNode root, int services) {
        this.root = root;
        this.last = services;
        root.path("Parameters").fieldNames().forEachRemaining(name -> {
            if (name.startsWith(MARK)) {
                parameters.add(name);
            }
        });
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("the template has no second service (parameters " + MARK + "*) to repeat");
        }
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Map.Entry<String, JsonNode> c : root.path("Conditions").properties()) {
                if (!conditions.contains(c.getKey()) && references(c.getValue())) {
                    grew = conditions.add(c.getKey());
                }
            }
        }
        root.path("Resources").properties().forEach(r -> {
            if (r.getKey().contains(MARK) && conditions.contains(r.getValue().path("Condition").asText())) {
                resources.add(r.getKey());
            }
        });
    }

    /**
     * The template with {@code services} services: the first, the second and copies 3 to
     * {@code services} of the second's block.
     */
    static JsonNode withServices(JsonNode expanded, int services) {
        if (services < 3) {
            return expanded;
        }
        ObjectNode root = expanded.deepCopy();
        new ServiceCopies(root, services).copy();
        return root;
    }

    private void copy() {
        for (String section : new String[] {"Resources", "Outputs"}) {
            if (!(root.path(section) instanceof ObjectNode all)) {
                continue;
            }
            ObjectNode shared = NODES.objectNode();
            all.properties().forEach(e -> shared.set(e.getKey(), inBlock(section, e.getKey(), e.getValue())
                    ? e.getValue() : sharedDefinition(section + "." + e.getKey(), e.getValue())));
            ObjectNode result = NODES.objectNode();
            shared.properties().forEach(e -> {
                result.set(e.getKey(), e.getValue());
                if (inBlock(section, e.getKey(), e.getValue())) {
                    for (int k = 3; k <= last; k++) {
                        put(result, rename(e.getKey(), k), copy(e.getValue(), k, section.equals("Resources")));
                    }
                }
            });
            root.set(section, result);
        }
        for (String section : new String[] {"Parameters", "Conditions", "Rules"}) {
            if (!(root.path(section) instanceof ObjectNode all)) {
                continue;
            }
            ObjectNode result = NODES.objectNode();
            all.properties().forEach(e -> {
                result.set(e.getKey(), e.getValue());
                boolean block = section.equals("Parameters") ? parameters.contains(e.getKey())
                        : section.equals("Conditions") ? conditions.contains(e.getKey()) : references(e.getValue());
                if (block) {
                    for (int k = 3; k <= last; k++) {
                        put(result, rename(e.getKey(), k), copy(e.getValue(), k, false));
                    }
                }
            });
            root.set(section, result);
        }
    }

    private static void put(ObjectNode into, String name, JsonNode value) {
        if (into.has(name)) {
            throw new IllegalStateException("cannot repeat the second service: the template has " + name + " already");
        }
        into.set(name, value);
    }

    private boolean inBlock(String section, String name, JsonNode definition) {
        return section.equals("Resources") ? resources.contains(name)
                : conditions.contains(definition.path("Condition").asText()) && references(definition.path("Value"));
    }

    private static String rename(String name, int k) {
        return name.contains(MARK) ? name.replace(MARK, "Service" + k) : name + k;
    }

    /** A shared resource or output: its own condition may be the second service's (it exists with one), its body expanded. */
    private JsonNode sharedDefinition(String where, JsonNode definition) {
        ObjectNode result = NODES.objectNode();
        definition.properties().forEach(e -> result.set(e.getKey(),
                e.getKey().equals("Condition") ? e.getValue() : expand(where + "." + e.getKey(), e.getValue())));
        return result;
    }

    /** A shared value with the copies' list elements and Fn::Sub variables added; any other reference to the block fails. */
    private JsonNode expand(String where, JsonNode node) {
        if (node.isArray()) {
            ArrayNode result = NODES.arrayNode();
            for (int i = 0; i < node.size(); i++) {
                JsonNode element = node.get(i);
                if (references(element)) {
                    result.add(element);
                    for (int k = 3; k <= last; k++) {
                        result.add(copy(element, k, false));
                    }
                } else {
                    result.add(expand(where + "[" + i + "]", element));
                }
            }
            return result;
        }
        if (!node.isObject()) {
            return node;
        }
        JsonNode sub = node.get("Fn::Sub");
        if (node.size() == 1 && sub != null && sub.isArray() && sub.size() == 2) {
            String text = sub.get(0).asText();
            ObjectNode variables = NODES.objectNode();
            for (Map.Entry<String, JsonNode> v : sub.get(1).properties()) {
                variables.set(v.getKey(), v.getValue());
                if (references(v.getValue())) {
                    StringBuilder repeated = new StringBuilder("${" + v.getKey() + "}");
                    for (int k = 3; k <= last; k++) {
                        put(variables, rename(v.getKey(), k), copy(v.getValue(), k, false));
                        repeated.append("${").append(rename(v.getKey(), k)).append('}');
                    }
                    text = text.replace("${" + v.getKey() + "}", repeated.toString());
                } else {
                    variables.set(v.getKey(), expand(where + ".Fn::Sub." + v.getKey(), v.getValue()));
                }
            }
            ObjectNode result = NODES.objectNode();
            result.set("Fn::Sub", NODES.arrayNode().add(text).add(variables));
            if (subReferences(text, variables)) {
                throw unplaced(where, node);
            }
            return result;
        }
        if (node.size() == 1 && references(node) && !references(node.elements().next())) {
            throw unplaced(where, node);
        }
        ObjectNode result = NODES.objectNode();
        node.properties().forEach(e -> result.set(e.getKey(), expand(where + "." + e.getKey(), e.getValue())));
        return result;
    }

    private IllegalStateException unplaced(String where, JsonNode node) {
        return new IllegalStateException("cannot repeat the second service: " + where + " refers to it outside a list or an"
                + " Fn::Sub variable (" + node + ")");
    }

    /** Whether the value refers to the block: a parameter, condition or resource of the second service. */
    private boolean references(JsonNode node) {
        if (node.isObject() && node.size() == 1) {
            String key = node.fieldNames().next();
            JsonNode args = node.get(key);
            switch (key) {
                case "Ref" -> {
                    if (parameters.contains(args.asText()) || resources.contains(args.asText())) {
                        return true;
                    }
                }
                case "Condition" -> {
                    if (conditions.contains(args.asText())) {
                        return true;
                    }
                }
                case "Fn::GetAtt" -> {
                    if (resources.contains(args.isArray() ? args.get(0).asText() : args.asText().split("\\.")[0])) {
                        return true;
                    }
                }
                case "Fn::If" -> {
                    if (conditions.contains(args.path(0).asText())) {
                        return true;
                    }
                }
                case "Fn::Sub" -> {
                    if (subReferences(args.isArray() ? args.get(0).asText() : args.asText(), args.path(1))) {
                        return true;
                    }
                }
                default -> {
                }
            }
        }
        for (JsonNode child : node) {
            if (references(child)) {
                return true;
            }
        }
        return false;
    }

    private boolean subReferences(String text, JsonNode variables) {
        Matcher m = SUB_VARIABLE.matcher(text);
        while (m.find()) {
            String name = m.group(1).split("\\.")[0];
            if (!variables.has(m.group(1)) && (parameters.contains(name) || resources.contains(name))) {
                return true;
            }
        }
        return false;
    }

    /** The value for copy {@code k}: every name of the block renamed (a listener rule's priority moved past the second's). */
    private JsonNode copy(JsonNode node, int k, boolean resource) {
        if (resource) {
            ObjectNode result = (ObjectNode) copy(node, k, false);
            JsonNode dependsOn = node.path("DependsOn");
            if (dependsOn.isTextual()) {
                result.put("DependsOn", block(dependsOn.asText(), k));
            } else if (dependsOn.isArray()) {
                ArrayNode renamed = result.putArray("DependsOn");
                dependsOn.forEach(d -> renamed.add(block(d.asText(), k)));
            }
            if (node.path("Condition").isTextual()) {
                result.put("Condition", block(node.get("Condition").asText(), k));
            }
            if (node.path("Type").asText().equals("AWS::ElasticLoadBalancingV2::ListenerRule")
                    && node.path("Properties").path("Priority").canConvertToInt()) {
                ((ObjectNode) result.get("Properties")).put("Priority", node.get("Properties").get("Priority").asInt() + k - 2);
            }
            return result;
        }
        if (node.isArray()) {
            ArrayNode result = NODES.arrayNode();
            node.forEach(e -> result.add(copy(e, k, false)));
            return result;
        }
        if (!node.isObject()) {
            return node;
        }
        if (node.size() == 1) {
            String key = node.fieldNames().next();
            JsonNode args = node.get(key);
            switch (key) {
                case "Ref", "Condition" -> {
                    return NODES.objectNode().put(key, block(args.asText(), k));
                }
                case "Fn::GetAtt" -> {
                    if (args.isArray()) {
                        ArrayNode renamed = NODES.arrayNode().add(block(args.get(0).asText(), k));
                        for (int i = 1; i < args.size(); i++) {
                            renamed.add(copy(args.get(i), k, false));
                        }
                        return NODES.objectNode().set(key, renamed);
                    }
                    String[] parts = args.asText().split("\\.", 2);
                    return NODES.objectNode().put(key, block(parts[0], k) + "." + parts[1]);
                }
                case "Fn::If" -> {
                    ArrayNode renamed = NODES.arrayNode().add(block(args.get(0).asText(), k));
                    for (int i = 1; i < args.size(); i++) {
                        renamed.add(copy(args.get(i), k, false));
                    }
                    return NODES.objectNode().set(key, renamed);
                }
                case "Fn::Sub" -> {
                    JsonNode variables = args.isArray() ? args.get(1) : NODES.objectNode();
                    String text = subCopy(args.isArray() ? args.get(0).asText() : args.asText(), variables, k);
                    return NODES.objectNode().set(key, args.isArray()
                            ? NODES.arrayNode().add(text).add(copy(variables, k, false)) : TextNode.valueOf(text));
                }
                default -> {
                }
            }
        }
        ObjectNode result = NODES.objectNode();
        node.properties().forEach(e -> result.set(e.getKey(), copy(e.getValue(), k, false)));
        return result;
    }

    private String subCopy(String text, JsonNode variables, int k) {
        Matcher m = SUB_VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String variable = m.group(1);
            String[] parts = variable.split("\\.", 2);
            String renamed = variables.has(variable) ? variable : block(parts[0], k) + (parts.length > 1 ? "." + parts[1] : "");
            m.appendReplacement(out, Matcher.quoteReplacement("${" + renamed + "}"));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The name in copy {@code k} if it is one of the block's, else itself. */
    private String block(String name, int k) {
        return parameters.contains(name) || conditions.contains(name) || resources.contains(name) ? rename(name, k) : name;
    }
}
