package dev.pushdeploy.local.template;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * One deployment of a template: parameter values, pseudo parameters, and the physical identity of
 * its resources. Resources the template names (repository, cluster, service, parameters, log
 * groups, state machine, secret) are derived from their name properties the way AWS forms their
 * ARNs; anything else comes from {@code bindings} ({@code "Logical"} for Ref,
 * {@code "Logical.Attribute"} for GetAtt, {@code "Function.Alias"} for SAM's alias reference).
 * With {@link #withPlaceholders()}, what is neither named nor bound reads as {@code {Logical}} or
 * {@code {Logical.Attribute}} instead of failing (to evaluate whole resources that refer to parts
 * of the stack a caller does not model).
 */
public final class Stack implements CfnEvaluator.Resources {
    private final CfnTemplate template;
    private final String region;
    private final String account;
    private final Map<String, String> bindings;
    private final CfnEvaluator evaluator;
    private final boolean placeholders;
    private final String stackName;
    private final Map<String, String> parameters;

    public Stack(CfnTemplate template, Map<String, String> parameters, String stackName, String region, String account,
                 Map<String, String> bindings) {
        this(template, parameters, stackName, region, account, bindings, false);
    }

    private Stack(CfnTemplate template, Map<String, String> parameters, String stackName, String region, String account,
                  Map<String, String> bindings, boolean placeholders) {
        this.placeholders = placeholders;
        this.template = template;
        this.region = region;
        this.account = account;
        this.bindings = Map.copyOf(bindings);
        this.evaluator = new CfnEvaluator(template, parameters, CfnEvaluator.pseudo(stackName, region, account), this);
        this.stackName = stackName;
        this.parameters = Map.copyOf(parameters);
    }

    /** The same deployment, with placeholders for resources that are neither named nor bound. */
    public Stack withPlaceholders() {
        return new Stack(template, parameters, stackName, region, account, bindings, true);
    }

    public CfnTemplate template() {
        return template;
    }

    public CfnEvaluator evaluator() {
        return evaluator;
    }

    /** The resource's properties with every intrinsic function evaluated. */
    public JsonNode properties(String logicalId) {
        return evaluator.evaluate(template.properties(logicalId));
    }

    /** Whether the resource is part of this deployment (its Condition, if any, holds). */
    public boolean exists(String logicalId) {
        return evaluator.exists(template.resource(logicalId));
    }

    @Override
    public String ref(String logicalId) {
        String bound = bindings.get(logicalId);
        if (bound != null) {
            return bound;
        }
        String type = template.type(logicalId);
        String arnPrefix = "arn:aws:%s:" + region + ":" + account + ":";
        return switch (type == null ? "" : type) {
            case "AWS::ECR::Repository" -> name(logicalId, "RepositoryName");
            case "AWS::ECS::Cluster" -> name(logicalId, "ClusterName");
            case "AWS::SSM::Parameter" -> name(logicalId, "Name");
            case "AWS::CloudWatch::Alarm" -> name(logicalId, "AlarmName");
            case "AWS::Logs::LogGroup" -> name(logicalId, "LogGroupName");
            case "AWS::StepFunctions::StateMachine" -> arnPrefix.formatted("states") + "stateMachine:" + name(logicalId, "StateMachineName");
            case "AWS::ECS::Service" -> arnPrefix.formatted("ecs") + "service/" + clusterOf(logicalId) + "/" + name(logicalId, "ServiceName");
            case "AWS::ECS::TaskDefinition" -> arnPrefix.formatted("ecs") + "task-definition/" + name(logicalId, "Family") + ":1";
            case "AWS::SecretsManager::Secret" -> arnPrefix.formatted("secretsmanager") + "secret:" + name(logicalId, "Name") + "-AbCdEf";
            default -> {
                if (placeholders) {
                    yield "{" + logicalId + "}";
                }
                throw new IllegalStateException("no physical id for " + logicalId + " (" + type + "): bind it");
            }
        };
    }

    @Override
    public String getAtt(String logicalId, String attribute) {
        String bound = bindings.get(logicalId + "." + attribute);
        if (bound != null) {
            return bound;
        }
        String type = template.type(logicalId);
        String key = (type == null ? "" : type) + "." + attribute;
        String arnPrefix = "arn:aws:%s:" + region + ":" + account + ":";
        return switch (key) {
            case "AWS::ECR::Repository.Arn" -> arnPrefix.formatted("ecr") + "repository/" + ref(logicalId);
            case "AWS::ECR::Repository.RepositoryUri" -> account + ".dkr.ecr." + region + ".amazonaws.com/" + ref(logicalId);
            case "AWS::ECS::Cluster.Arn" -> arnPrefix.formatted("ecs") + "cluster/" + ref(logicalId);
            case "AWS::Logs::LogGroup.Arn" -> arnPrefix.formatted("logs") + "log-group:" + ref(logicalId) + ":*";
            case "AWS::StepFunctions::StateMachine.Name", "AWS::ECS::Service.Name" -> name(logicalId,
                    type.endsWith("Service") ? "ServiceName" : "StateMachineName");
            case "AWS::StepFunctions::StateMachine.Arn" -> ref(logicalId);
            default -> {
                if (placeholders) {
                    yield "{" + logicalId + "." + attribute + "}";
                }
                throw new IllegalStateException("no attribute " + attribute + " of " + logicalId + " (" + type + "): bind it");
            }
        };
    }

    private String name(String logicalId, String property) {
        JsonNode value = template.properties(logicalId).path(property);
        if (value.isMissingNode()) {
            throw new IllegalStateException(logicalId + " has no " + property + ": bind it");
        }
        return evaluator.string(value);
    }

    private String clusterOf(String service) {
        JsonNode cluster = template.properties(service).path("Cluster");
        String value = evaluator.string(cluster);
        return value.contains("/") ? value.substring(value.lastIndexOf('/') + 1) : value;
    }
}
