package dev.pushdeploy.local.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SAM template as the local runtime sees it: resources with the physical names a local stack
 * named {@value #STACK_NAME} would give them in {@value #REGION} / {@value #ACCOUNT}, and the
 * intrinsic functions (Ref, GetAtt, Sub, Join, Select, If, Equals, Not, And, Or, FindInMap, Split)
 * evaluated against them and the parameters' defaults. SAM's {@code Ref: Function.Alias} gives the
 * function's ARN qualified with its {@code AutoPublishAlias}.
 */
public final class Template {
    public static final String STACK_NAME = "pushdeploy";
    public static final String REGION = "us-east-1";
    public static final String ACCOUNT = "123456789012";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}]*)}");
    private static final Map<String, String> NAME_PROPERTIES = Map.ofEntries(
            Map.entry("AWS::DynamoDB::Table", "TableName"),
            Map.entry("AWS::SNS::Topic", "TopicName"),
            Map.entry("AWS::SQS::Queue", "QueueName"),
            Map.entry("AWS::SSM::Parameter", "Name"),
            Map.entry("AWS::ECR::Repository", "RepositoryName"),
            Map.entry("AWS::ECS::Cluster", "ClusterName"),
            Map.entry("AWS::ECS::Service", "ServiceName"),
            Map.entry("AWS::ECS::TaskDefinition", "Family"),
            Map.entry("AWS::Serverless::StateMachine", "Name"),
            Map.entry("AWS::StepFunctions::StateMachine", "StateMachineName"),
            Map.entry("AWS::Events::EventBus", "Name"),
            Map.entry("AWS::Events::Rule", "Name"),
            Map.entry("AWS::ElasticLoadBalancingV2::TargetGroup", "Name"),
            Map.entry("AWS::Logs::LogGroup", "LogGroupName"),
            Map.entry("AWS::IAM::Role", "RoleName"));

    private final JsonNode root;
    private final Path directory;
    private final Map<String, JsonNode> parameters = new LinkedHashMap<>();
    private final Map<String, Boolean> conditions = new HashMap<>();
    private final Set<String> resolving = new HashSet<>();

    private Template(JsonNode root, Path directory, Map<String, String> overrides) {
        this.root = root;
        this.directory = directory;
        root.path("Parameters").fields().forEachRemaining(p -> {
            String value = overrides.containsKey(p.getKey()) ? overrides.get(p.getKey()) : p.getValue().path("Default").asText(null);
            if (value != null) {
                parameters.put(p.getKey(), p.getValue().path("Type").asText().startsWith("CommaDelimitedList")
                        || p.getValue().path("Type").asText().startsWith("List<")
                        ? list(value.split(",")) : NODES.textNode(value));
            }
        });
    }

    /** Loads {@code template.yaml} with the parameters' defaults, some of them overridden. */
    public static Template load(Path file, Map<String, String> parameterOverrides) {
        Path absolute = file.toAbsolutePath();
        return new Template(CfnYaml.read(absolute), absolute.getParent(), parameterOverrides);
    }

    public static Template parse(String yaml, Path directory) {
        return new Template(CfnYaml.parse(yaml), directory, Map.of());
    }

    /** The directory of the template (relative paths such as {@code DefinitionUri} start there). */
    public Path directory() {
        return directory;
    }

    /** Logical ids and definitions of the resources of a type, in template order. */
    public Map<String, JsonNode> resources(String type) {
        Map<String, JsonNode> found = new LinkedHashMap<>();
        root.path("Resources").fields().forEachRemaining(r -> {
            if (type.equals(r.getValue().path("Type").asText()) && conditionHolds(r.getValue())) {
                found.put(r.getKey(), r.getValue());
            }
        });
        return found;
    }

    public Optional<JsonNode> resource(String logicalId) {
        JsonNode r = root.path("Resources").path(logicalId);
        return r.isMissingNode() ? Optional.empty() : Optional.of(r);
    }

    /** The template's Globals section for a resource kind ({@code Function}, {@code StateMachine}). */
    public JsonNode globals(String kind) {
        return root.path("Globals").path(kind);
    }

    /** Evaluates every intrinsic function in a fragment; {@code AWS::NoValue} removes the property. */
    public JsonNode resolve(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return node;
        }
        if (node.isArray()) {
            ArrayNode out = NODES.arrayNode();
            for (JsonNode item : node) {
                JsonNode value = resolve(item);
                if (value != null) {
                    out.add(value);
                }
            }
            return out;
        }
        if (!node.isObject()) {
            return node;
        }
        if (node.size() == 1) {
            String key = node.fieldNames().next();
            if (key.equals("Ref") || key.startsWith("Fn::")) {
                return intrinsic(key, node.get(key));
            }
        }
        ObjectNode out = NODES.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = resolve(field.getValue());
            if (value != null) {
                out.set(field.getKey(), value);
            }
        }
        return out;
    }

    /** A resolved fragment as text (numbers and booleans as CloudFormation stringifies them). */
    public String resolveText(JsonNode node) {
        JsonNode value = resolve(node);
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        if (!value.isValueNode()) {
            throw new IllegalArgumentException("expected a string, got " + value);
        }
        return value.asText();
    }

    /** What {@code Ref} of a resource or parameter gives in the local stack. */
    public String ref(String name) {
        JsonNode parameter = parameters.get(name);
        if (parameter != null) {
            return parameter.isArray() ? join(parameter, ",") : parameter.asText();
        }
        switch (name) {
            case "AWS::Region":
                return REGION;
            case "AWS::AccountId":
                return ACCOUNT;
            case "AWS::StackName":
                return STACK_NAME;
            case "AWS::Partition":
                return "aws";
            case "AWS::URLSuffix":
                return "amazonaws.com";
            case "AWS::StackId":
                return "arn:aws:cloudformation:" + REGION + ":" + ACCOUNT + ":stack/" + STACK_NAME + "/local";
            default:
                break;
        }
        if (name.endsWith(".Alias") || name.endsWith(".Version")) {
            String function = name.substring(0, name.lastIndexOf('.'));
            String alias = globals("Function").path("AutoPublishAlias").asText("live");
            return functionArn(function) + ":" + (name.endsWith(".Alias") ? alias : "1");
        }
        JsonNode resource = resource(name).orElseThrow(() -> new IllegalArgumentException("Ref to unknown " + name));
        String type = resource.path("Type").asText();
        String physical = physicalName(name);
        return switch (type) {
            case "AWS::SNS::Topic" -> "arn:aws:sns:" + REGION + ":" + ACCOUNT + ":" + physical;
            case "AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine" -> stateMachineArn(physical);
            case "AWS::ECS::Service" -> "arn:aws:ecs:" + REGION + ":" + ACCOUNT + ":service/"
                    + clusterOf(resource) + "/" + physical;
            case "AWS::ECS::TaskDefinition" -> "arn:aws:ecs:" + REGION + ":" + ACCOUNT + ":task-definition/" + physical + ":1";
            case "AWS::ElasticLoadBalancingV2::TargetGroup" -> "arn:aws:elasticloadbalancing:" + REGION + ":" + ACCOUNT
                    + ":targetgroup/" + physical + "/local";
            default -> physical;
        };
    }

    /** What {@code Fn::GetAtt} of a resource attribute gives in the local stack. */
    public String getAtt(String logicalId, String attribute) {
        JsonNode resource = resource(logicalId).orElseThrow(() -> new IllegalArgumentException("GetAtt of unknown " + logicalId));
        String type = resource.path("Type").asText();
        String physical = physicalName(logicalId);
        String base = "arn:aws:%s:" + REGION + ":" + ACCOUNT + ":";
        return switch (type + "." + attribute) {
            case "AWS::Serverless::Function.Arn", "AWS::Lambda::Function.Arn" -> functionArn(logicalId);
            case "AWS::DynamoDB::Table.Arn" -> base.formatted("dynamodb") + "table/" + physical;
            case "AWS::SNS::Topic.TopicArn" -> ref(logicalId);
            case "AWS::SNS::Topic.TopicName", "AWS::ECS::Service.Name", "AWS::Serverless::StateMachine.Name",
                 "AWS::StepFunctions::StateMachine.Name", "AWS::Events::EventBus.Name" -> physical;
            case "AWS::SQS::Queue.Arn" -> base.formatted("sqs") + physical;
            case "AWS::ECR::Repository.Arn" -> base.formatted("ecr") + "repository/" + physical;
            case "AWS::ECR::Repository.RepositoryUri" -> ACCOUNT + ".dkr.ecr." + REGION + ".amazonaws.com/" + physical;
            case "AWS::ECS::Cluster.Arn" -> base.formatted("ecs") + "cluster/" + physical;
            case "AWS::ECS::Service.ServiceArn" -> ref(logicalId);
            case "AWS::Serverless::StateMachine.Arn", "AWS::StepFunctions::StateMachine.Arn" -> stateMachineArn(physical);
            case "AWS::Events::EventBus.Arn" -> base.formatted("events") + "event-bus/" + physical;
            case "AWS::IAM::Role.Arn" -> "arn:aws:iam::" + ACCOUNT + ":role/" + physical;
            case "AWS::Logs::LogGroup.Arn" -> base.formatted("logs") + "log-group:" + physical + ":*";
            case "AWS::KMS::Key.Arn" -> base.formatted("kms") + "key/" + physical;
            default -> base.formatted(type.split("::").length > 1 ? type.split("::")[1].toLowerCase() : "local")
                    + logicalId + "/" + attribute;
        };
    }

    /** The physical name of a resource: its name property when the template sets one, else {@code pushdeploy-<LogicalId>}. */
    public String physicalName(String logicalId) {
        JsonNode resource = resource(logicalId).orElseThrow(() -> new IllegalArgumentException("unknown resource " + logicalId));
        String type = resource.path("Type").asText();
        if (type.equals("AWS::Serverless::Function") || type.equals("AWS::Lambda::Function")) {
            return logicalId;
        }
        String property = NAME_PROPERTIES.get(type);
        if (property != null && resource.path("Properties").has(property)) {
            if (!resolving.add(logicalId)) {
                throw new IllegalArgumentException("circular name of " + logicalId);
            }
            try {
                String name = resolveText(resource.path("Properties").get(property));
                if (name != null) {
                    return name;
                }
            } finally {
                resolving.remove(logicalId);
            }
        }
        return STACK_NAME + "-" + logicalId;
    }

    public static String functionArn(String logicalId) {
        return "arn:aws:lambda:" + REGION + ":" + ACCOUNT + ":function:" + logicalId;
    }

    public static String stateMachineArn(String name) {
        return "arn:aws:states:" + REGION + ":" + ACCOUNT + ":stateMachine:" + name;
    }

    /** Whether a resource's {@code Condition} (if any) holds. */
    public boolean conditionHolds(JsonNode resource) {
        return !resource.has("Condition") || condition(resource.get("Condition").asText());
    }

    private boolean condition(String name) {
        Boolean known = conditions.get(name);
        if (known != null) {
            return known;
        }
        JsonNode definition = root.path("Conditions").path(name);
        if (definition.isMissingNode()) {
            throw new IllegalArgumentException("unknown condition " + name);
        }
        boolean value = truth(definition);
        conditions.put(name, value);
        return value;
    }

    private boolean truth(JsonNode node) {
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        String key = node.fieldNames().next();
        JsonNode args = node.get(key);
        return switch (key) {
            case "Condition" -> condition(args.asText());
            case "Fn::Equals" -> resolve(args.get(0)).asText().equals(resolve(args.get(1)).asText());
            case "Fn::Not" -> !truth(args.get(0));
            case "Fn::And" -> {
                boolean all = true;
                for (JsonNode a : args) {
                    all &= truth(a);
                }
                yield all;
            }
            case "Fn::Or" -> {
                boolean any = false;
                for (JsonNode a : args) {
                    any |= truth(a);
                }
                yield any;
            }
            default -> throw new IllegalArgumentException("not a condition: " + node);
        };
    }

    private JsonNode intrinsic(String function, JsonNode args) {
        return switch (function) {
            case "Ref" -> args.asText().equals("AWS::NoValue") ? null
                    : parameters.containsKey(args.asText()) ? parameters.get(args.asText()) : NODES.textNode(ref(args.asText()));
            case "Fn::GetAtt" -> {
                List<String> parts = new ArrayList<>();
                resolve(args).forEach(p -> parts.add(p.asText()));
                yield NODES.textNode(getAtt(parts.get(0), String.join(".", parts.subList(1, parts.size()))));
            }
            case "Fn::Sub" -> NODES.textNode(sub(args));
            case "Fn::Join" -> NODES.textNode(join(resolve(args.get(1)), resolve(args.get(0)).asText()));
            case "Fn::Select" -> resolve(args.get(1)).get(resolve(args.get(0)).asInt());
            case "Fn::Split" -> list(resolve(args.get(1)).asText().split(Pattern.quote(resolve(args.get(0)).asText()), -1));
            case "Fn::If" -> {
                JsonNode chosen = condition(args.get(0).asText()) ? args.get(1) : args.get(2);
                yield resolve(chosen);
            }
            case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or" -> NODES.booleanNode(truth(NODES.objectNode().set(function, args)));
            case "Fn::FindInMap" -> resolve(root.path("Mappings").path(resolve(args.get(0)).asText())
                    .path(resolve(args.get(1)).asText()).path(resolve(args.get(2)).asText()));
            case "Fn::GetAZs" -> list(new String[] {REGION + "a", REGION + "b"});
            case "Fn::ToJsonString" -> NODES.textNode(resolve(args).toString());
            default -> throw new IllegalArgumentException(function + " is not supported by the local runtime");
        };
    }

    private String sub(JsonNode args) {
        String text;
        Map<String, String> variables = new HashMap<>();
        if (args.isArray()) {
            text = args.get(0).asText();
            resolve(args.get(1)).fields().forEachRemaining(v -> variables.put(v.getKey(), v.getValue().asText()));
        } else {
            text = args.asText();
        }
        Matcher m = SUB_VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value;
            if (name.startsWith("!")) {
                value = "${" + name.substring(1) + "}";
            } else if (variables.containsKey(name)) {
                value = variables.get(name);
            } else if (name.contains(".") && !name.startsWith("AWS::")) {
                int dot = name.indexOf('.');
                value = getAtt(name.substring(0, dot), name.substring(dot + 1));
            } else {
                value = ref(name);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String clusterOf(JsonNode service) {
        String cluster = resolveText(service.path("Properties").path("Cluster"));
        return cluster == null ? "default" : cluster.substring(cluster.lastIndexOf('/') + 1);
    }

    private static ArrayNode list(String[] items) {
        ArrayNode list = NODES.arrayNode();
        for (String item : items) {
            list.add(item.trim());
        }
        return list;
    }

    private static String join(JsonNode items, String separator) {
        List<String> parts = new ArrayList<>();
        items.forEach(i -> parts.add(i.asText()));
        return String.join(separator, parts);
    }
}
