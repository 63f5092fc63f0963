package dev.pushdeploy.template;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.local.template.AwsNames;
import dev.pushdeploy.local.template.CfnTemplate;
import dev.pushdeploy.local.template.Deployment;
import dev.pushdeploy.testing.Emulator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One deployment of the expanded template ({@link Repo#template()}) for a set of parameter values
 * (checked as CloudFormation checks them): which resources exist, their properties with every
 * intrinsic function evaluated (resources CloudFormation names at creation read as
 * {@code {LogicalId}} / {@code {LogicalId.Attribute}}; the database port is 5432, a number in the
 * configuration document; a subnet's or VPC's CidrBlock is its evaluated range), the template's
 * Rules, and checks that hold for any deployment. Release parameters read {@code none} (before the
 * first release) unless given.
 */
final class Variant {
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}!][^}]*)}");

    final Map<String, String> parameters;
    final CfnTemplate template;
    final Deployment stack;
    private final Map<String, JsonNode> evaluated = new java.util.HashMap<>();

    private Variant(CfnTemplate template, Map<String, String> parameters, Deployment stack) {
        this.template = template;
        this.parameters = parameters;
        this.stack = stack;
    }

    static Variant of(Map<String, String> overrides) {
        return of(overrides, "none");
    }

    static Variant of(Map<String, String> overrides, String release) {
        return of(overrides, name -> Optional.of(release));
    }

    /** A deployment whose Parameter Store parameters (those of SSM-typed template parameters) read {@code ssm}. */
    static Variant of(Map<String, String> overrides, java.util.function.Function<String, Optional<String>> ssm) {
        CfnTemplate template = Deployments.TEMPLATE;
        Map<String, String> values = template.parameterValues(overrides, ssm);
        Map<String, String> bindings = new LinkedHashMap<>(Map.of("Database.Endpoint.Port", "5432"));
        Deployment ranges = deployment(template, values, bindings, ssm);
        for (String type : List.of("AWS::EC2::Subnet", "AWS::EC2::VPC")) {
            template.resources(type).keySet().stream().filter(ranges::exists)
                    .forEach(id -> bindings.put(id + ".CidrBlock", ranges.properties(id).path("CidrBlock").asText()));
        }
        return new Variant(template, values, deployment(template, values, bindings, ssm));
    }

    private static Deployment deployment(CfnTemplate template, Map<String, String> values, Map<String, String> bindings,
                                         java.util.function.Function<String, Optional<String>> ssm) {
        return new Deployment(template, values, Deployments.STACK_NAME, Emulator.REGION, Emulator.ACCOUNT,
                new AwsNames((logicalId, type) -> null, bindings).withPlaceholders(), ssm);
    }

    boolean exists(String logicalId) {
        if (template.resource(logicalId).isMissingNode()) {
            throw new IllegalArgumentException("the template has no resource " + logicalId);
        }
        return stack.exists(logicalId);
    }

    /** Logical ids of the existing resources of a type, in template order. */
    List<String> resources(String type) {
        return template.resources(type).keySet().stream().filter(stack::exists).toList();
    }

    JsonNode properties(String logicalId) {
        return evaluated.computeIfAbsent(logicalId, id -> {
            if (!exists(id)) {
                throw new IllegalArgumentException(id + " does not exist in this deployment");
            }
            return stack.properties(id);
        });
    }

    boolean condition(String name) {
        return stack.condition(name);
    }

    String placeholder(String logicalId) {
        return "{" + logicalId + "}";
    }

    /** An output's value, or empty when its condition leaves it out. */
    Optional<String> output(String name) {
        if (template.outputs().path(name).isMissingNode()) {
            throw new IllegalArgumentException("the template has no output " + name);
        }
        return Optional.ofNullable(stack.outputs().get(name));
    }

    /**
     * Problems CloudFormation would reject the deployment for (beyond parameter values, which
     * {@link #of} checks): a failing assertion of the template's Rules; an existing resource or
     * output that refers (Ref, GetAtt, Sub, DependsOn, in the branches its conditions choose) to a
     * resource that does not exist.
     */
    List<String> problems() {
        List<String> problems = new ArrayList<>(ruleViolations());
        template.root().path("Resources").properties().forEach(e -> {
            if (!stack.exists(e.getKey())) {
                return;
            }
            Set<String> targets = new LinkedHashSet<>();
            references(e.getValue().path("Properties"), targets);
            references(e.getValue().path("Metadata"), targets);
            JsonNode dependsOn = e.getValue().path("DependsOn");
            (dependsOn.isArray() ? dependsOn : List.of(dependsOn)).forEach(d -> {
                if (d.isTextual()) {
                    targets.add(d.asText());
                }
            });
            targets.stream().filter(t -> !stack.exists(t)).forEach(t -> problems.add(e.getKey() + " refers to " + t + ", which does not exist"));
        });
        Map<String, String> outputs = stack.outputs();
        template.outputs().properties().forEach(e -> {
            if (outputs.containsKey(e.getKey())) {
                Set<String> targets = new LinkedHashSet<>();
                references(e.getValue().path("Value"), targets);
                targets.stream().filter(t -> !stack.exists(t)).forEach(t -> problems.add("output " + e.getKey() + " refers to " + t));
            }
        });
        return problems;
    }

    /** AssertDescription of every assertion of the template's Rules that fails for these parameter values. */
    List<String> ruleViolations() {
        List<String> violations = new ArrayList<>();
        template.root().path("Rules").properties().forEach(rule -> {
            JsonNode when = rule.getValue().path("RuleCondition");
            if (!when.isMissingNode() && !stack.evaluate(when).asBoolean()) {
                return;
            }
            for (JsonNode assertion : rule.getValue().path("Assertions")) {
                if (!stack.evaluate(assertion.path("Assert")).asBoolean()) {
                    violations.add("rule " + rule.getKey() + ": " + assertion.path("AssertDescription").asText());
                }
            }
        });
        return violations;
    }

    /** Resource logical ids the node refers to, following only the Fn::If branches this deployment takes. */
    private void references(JsonNode node, Set<String> into) {
        if (node.isArray()) {
            node.forEach(n -> references(n, into));
            return;
        }
        if (!node.isObject()) {
            return;
        }
        if (node.size() == 1) {
            String key = node.fieldNames().next();
            JsonNode args = node.get(key);
            switch (key) {
                case "Fn::If" -> {
                    references(condition(args.get(0).asText()) ? args.get(1) : args.get(2), into);
                    return;
                }
                case "Ref" -> {
                    resource(args.asText()).ifPresent(into::add);
                    return;
                }
                case "Fn::GetAtt" -> {
                    resource(args.isArray() ? args.get(0).asText() : args.asText().split("\\.")[0]).ifPresent(into::add);
                    return;
                }
                case "Fn::Sub" -> {
                    JsonNode text = args.isArray() ? args.get(0) : args;
                    Matcher m = SUB_VARIABLE.matcher(text.asText());
                    Set<String> local = new LinkedHashSet<>();
                    if (args.isArray() && args.size() > 1) {
                        args.get(1).fieldNames().forEachRemaining(local::add);
                        references(args.get(1), into);
                    }
                    while (m.find()) {
                        String variable = m.group(1);
                        if (!local.contains(variable)) {
                            resource(variable.split("\\.")[0]).ifPresent(into::add);
                        }
                    }
                    return;
                }
                default -> {
                }
            }
        }
        node.forEach(n -> references(n, into));
    }

    private Optional<String> resource(String name) {
        return template.resource(name).isMissingNode() ? Optional.empty() : Optional.of(name);
    }

    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>(parameters);
        shown.keySet().removeIf(k -> template.parameterDefault(k).map(d -> d.equals(parameters.get(k))).orElse(false));
        return shown.toString();
    }
}
