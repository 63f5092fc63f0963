package dev.pushdeploy.local.template;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Physical ids as AWS forms them, for the resource types the pipeline names: a resource is named
 * by its name property ({@code RepositoryName}, {@code TableName}, {@code FunctionName}, …) or, without
 * one, by {@code generatedName} (CloudFormation's {@code <stack>-<LogicalId>-<suffix>}; null leaves
 * it unnamed); {@code Ref} and {@code Fn::GetAtt} answer what CloudFormation documents for the type
 * (a name, an ARN, a URL).
 * {@code bound} ids ({@code "Logical"} for Ref, {@code "Logical.Attribute"} for GetAtt) come first.
 * Other types (network, load balancer, database, …) have only bound ids; without one they fail, or
 * read {@code {Logical}} / {@code {Logical.Attribute}} with {@link #withPlaceholders()}.
 */
public final class AwsNames implements PhysicalIds {
    private static final Map<String, String> NAME_PROPERTY = Map.ofEntries(
            Map.entry("AWS::ECR::Repository", "RepositoryName"),
            Map.entry("AWS::ECS::Cluster", "ClusterName"),
            Map.entry("AWS::ECS::Service", "ServiceName"),
            Map.entry("AWS::ECS::TaskDefinition", "Family"),
            Map.entry("AWS::SSM::Parameter", "Name"),
            Map.entry("AWS::Logs::LogGroup", "LogGroupName"),
            Map.entry("AWS::StepFunctions::StateMachine", "StateMachineName"),
            Map.entry("AWS::SecretsManager::Secret", "Name"),
            Map.entry("AWS::Lambda::Function", "FunctionName"),
            Map.entry("AWS::DynamoDB::Table", "TableName"),
            Map.entry("AWS::SNS::Topic", "TopicName"),
            Map.entry("AWS::SQS::Queue", "QueueName"),
            Map.entry("AWS::IAM::Role", "RoleName"),
            Map.entry("AWS::IAM::ManagedPolicy", "ManagedPolicyName"),
            Map.entry("AWS::Events::Rule", "Name"),
            Map.entry("AWS::KMS::Key", ""),
            Map.entry("AWS::KMS::Alias", "AliasName"),
            Map.entry("AWS::CloudWatch::Alarm", "AlarmName"));

    private final BiFunction<String, String, String> generatedName;
    private final Map<String, String> bound;
    private final boolean placeholders;

    /**
     * @param generatedName (logical id, type) → the name of a resource without a name property (null: none)
     * @param bound         ids that are known already
     */
    public AwsNames(BiFunction<String, String, String> generatedName, Map<String, String> bound) {
        this(generatedName, bound, false);
    }

    private AwsNames(BiFunction<String, String, String> generatedName, Map<String, String> bound, boolean placeholders) {
        this.generatedName = generatedName;
        this.bound = Map.copyOf(bound);
        this.placeholders = placeholders;
    }

    /** The same names, and placeholders for resources that have neither a rule nor a bound id. */
    public AwsNames withPlaceholders() {
        return new AwsNames(generatedName, bound, true);
    }

    /** The same names with more bound ids (these win). */
    public AwsNames bind(Map<String, String> more) {
        Map<String, String> merged = new HashMap<>(bound);
        merged.putAll(more);
        return new AwsNames(generatedName, merged, placeholders);
    }

    /** Names of a nested stack's resources: the same rules, no bound id. */
    @Override
    public AwsNames nested(String logicalId) {
        return new AwsNames(generatedName, Map.of(), placeholders);
    }

    @Override
    public String ref(Deployment stack, String logicalId) {
        String known = bound.get(logicalId);
        if (known != null) {
            return known;
        }
        String type = stack.template().type(logicalId);
        if (unnamed(stack, logicalId)) {
            return unknown(logicalId, type, null);
        }
        return switch (type) {
            case "AWS::ECS::Service" -> arn(stack, "ecs", "service/" + cluster(stack, logicalId) + "/" + name(stack, logicalId));
            case "AWS::ECS::TaskDefinition" -> arn(stack, "ecs", "task-definition/" + name(stack, logicalId) + ":1");
            case "AWS::StepFunctions::StateMachine" -> arn(stack, "states", "stateMachine:" + name(stack, logicalId));
            case "AWS::SecretsManager::Secret" -> arn(stack, "secretsmanager", "secret:" + name(stack, logicalId) + "-AbCdEf");
            case "AWS::Lambda::Version" -> function(stack, logicalId) + ":1";
            case "AWS::Lambda::Alias" -> function(stack, logicalId) + ":" + stack.string(stack.template().properties(logicalId).path("Name"));
            case "AWS::SNS::Topic" -> arn(stack, "sns", name(stack, logicalId));
            case "AWS::SQS::Queue" -> "https://sqs." + stack.region() + ".amazonaws.com/" + stack.account() + "/" + name(stack, logicalId);
            case "AWS::IAM::ManagedPolicy" -> "arn:aws:iam::" + stack.account() + ":policy/" + name(stack, logicalId);
            case Deployment.STACK -> Deployment.stackArn(stack.nestedStackName(logicalId), stack.region(), stack.account());
            default -> NAME_PROPERTY.containsKey(type) ? name(stack, logicalId) : unknown(logicalId, type, null);
        };
    }

    @Override
    public String getAtt(Deployment stack, String logicalId, String attribute) {
        String known = bound.get(logicalId + "." + attribute);
        if (known != null) {
            return known;
        }
        String type = stack.template().type(logicalId);
        if (unnamed(stack, logicalId)) {
            return unknown(logicalId, type, attribute);
        }
        return switch (type + "." + attribute) {
            case "AWS::ECR::Repository.Arn" -> arn(stack, "ecr", "repository/" + name(stack, logicalId));
            case "AWS::ECR::Repository.RepositoryUri" -> stack.account() + ".dkr.ecr." + stack.region() + ".amazonaws.com/"
                    + name(stack, logicalId);
            case "AWS::ECS::Cluster.Arn" -> arn(stack, "ecs", "cluster/" + name(stack, logicalId));
            case "AWS::ECS::Service.Name" -> name(stack, logicalId);
            case "AWS::ECS::Service.ServiceArn", "AWS::ECS::TaskDefinition.TaskDefinitionArn", "AWS::StepFunctions::StateMachine.Arn",
                 "AWS::SNS::Topic.TopicArn", "AWS::IAM::ManagedPolicy.PolicyArn", "AWS::Lambda::Alias.AliasArn",
                 "AWS::SQS::Queue.QueueUrl" -> ref(stack, logicalId);
            case "AWS::StepFunctions::StateMachine.Name", "AWS::SNS::Topic.TopicName", "AWS::SQS::Queue.QueueName" -> name(stack, logicalId);
            case "AWS::Logs::LogGroup.Arn" -> arn(stack, "logs", "log-group:" + name(stack, logicalId) + ":*");
            case "AWS::Lambda::Function.Arn" -> arn(stack, "lambda", "function:" + name(stack, logicalId));
            case "AWS::Lambda::Version.Version" -> "1";
            case "AWS::DynamoDB::Table.Arn" -> arn(stack, "dynamodb", "table/" + name(stack, logicalId));
            case "AWS::SQS::Queue.Arn" -> arn(stack, "sqs", name(stack, logicalId));
            case "AWS::KMS::Key.Arn" -> arn(stack, "kms", "key/" + ref(stack, logicalId));
            case "AWS::KMS::Key.KeyId" -> ref(stack, logicalId);
            case "AWS::IAM::Role.Arn" -> "arn:aws:iam::" + stack.account() + ":role/" + name(stack, logicalId);
            case "AWS::Events::Rule.Arn" -> arn(stack, "events", "rule/" + name(stack, logicalId));
            case "AWS::SSM::Parameter.Value" -> stack.string(stack.template().properties(logicalId).path("Value"));
            default -> unknown(logicalId, type, attribute);
        };
    }

    private String unknown(String logicalId, String type, String attribute) {
        String id = attribute == null ? logicalId : logicalId + "." + attribute;
        if (placeholders) {
            return "{" + id + "}";
        }
        throw new IllegalStateException("no physical id for " + id + " (" + type + ")");
    }

    /** A resource of a type named here, without a name property, that {@code generatedName} leaves unnamed (or its function, for an alias or version). */
    private boolean unnamed(Deployment stack, String logicalId) {
        String type = stack.template().type(logicalId);
        if (type.equals("AWS::Lambda::Alias") || type.equals("AWS::Lambda::Version")) {
            JsonNode function = stack.template().properties(logicalId).path("FunctionName").path("Ref");
            return function.isTextual() && unnamed(stack, function.asText());
        }
        return NAME_PROPERTY.containsKey(type) && stack.template().properties(logicalId).path(NAME_PROPERTY.get(type)).isMissingNode()
                && generatedName.apply(logicalId, type) == null;
    }

    private String name(Deployment stack, String logicalId) {
        String type = stack.template().type(logicalId);
        JsonNode value = stack.template().properties(logicalId).path(NAME_PROPERTY.getOrDefault(type, ""));
        return value.isMissingNode() ? generatedName.apply(logicalId, type) : stack.string(value);
    }

    private String function(Deployment stack, String logicalId) {
        String name = stack.string(stack.template().properties(logicalId).path("FunctionName"));
        return name.startsWith("arn:") ? name : arn(stack, "lambda", "function:" + name);
    }

    private String cluster(Deployment stack, String service) {
        String value = stack.string(stack.template().properties(service).path("Cluster"));
        return value.substring(value.lastIndexOf('/') + 1);
    }

    private static String arn(Deployment stack, String service, String resource) {
        return "arn:aws:" + service + ":" + stack.region() + ":" + stack.account() + ":" + resource;
    }
}
