package dev.pushdeploy.local.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One deployment of an expanded template: the stack's name, region and account, its parameter
 * values (as {@link CfnTemplate#parameterValues} resolves them) and the physical ids of its
 * resources; everything else is evaluated from the template on demand.
 */
public final class Deployment {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private final CfnTemplate template;
    private final String stackName;
    private final String region;
    private final String account;
    private final Map<String, String> parameters;
    private final Intrinsics intrinsics;

    public Deployment(CfnTemplate template, Map<String, String> parameters, String stackName, String region, String account,
                      PhysicalIds ids) {
        this.template = template;
        this.stackName = stackName;
        this.region = region;
        this.account = account;
        this.parameters = Map.copyOf(parameters);
        this.intrinsics = new Intrinsics(template, parameters, pseudo(stackName, region, account), ids, this);
    }

    /** Pseudo parameters of a stack in the given region and account (partition aws). */
    static Map<String, String> pseudo(String stackName, String region, String account) {
        return Map.of("AWS::StackName", stackName, "AWS::Region", region, "AWS::AccountId", account,
                "AWS::Partition", "aws", "AWS::URLSuffix", "amazonaws.com",
                "AWS::StackId", "arn:aws:cloudformation:" + region + ":" + account + ":stack/" + stackName
                        + "/00000000-0000-0000-0000-000000000000");
    }

    public CfnTemplate template() {
        return template;
    }

    public String stackName() {
        return stackName;
    }

    public String region() {
        return region;
    }

    public String account() {
        return account;
    }

    /** Every parameter's value in this deployment. */
    public Map<String, String> parameters() {
        return parameters;
    }

    public boolean condition(String name) {
        return intrinsics.condition(name);
    }

    /** Whether the resource is part of this deployment (it exists and its Condition, if any, holds). */
    public boolean exists(String logicalId) {
        JsonNode resource = template.resource(logicalId);
        return !resource.isMissingNode() && intrinsics.exists(resource);
    }

    /** The resource's properties with every intrinsic function evaluated. */
    public JsonNode properties(String logicalId) {
        return intrinsics.evaluate(template.properties(logicalId));
    }

    /** A value of the template with every intrinsic function evaluated (a missing node for AWS::NoValue). */
    public JsonNode evaluate(JsonNode value) {
        return intrinsics.evaluate(value);
    }

    /** A scalar value of the template, evaluated. */
    public String string(JsonNode value) {
        return intrinsics.string(value);
    }

    /** {@code Ref} of a resource in this deployment. */
    public String ref(String logicalId) {
        return intrinsics.string(NODES.objectNode().put("Ref", logicalId));
    }

    /** {@code Fn::GetAtt} of a resource in this deployment. */
    public String getAtt(String logicalId, String attribute) {
        return intrinsics.string(NODES.objectNode().set("Fn::GetAtt",
                NODES.arrayNode().add(logicalId).add(attribute)));
    }

    /** The stack's outputs that exist in this deployment, evaluated. */
    public Map<String, String> outputs() {
        Map<String, String> outputs = new LinkedHashMap<>();
        template.outputs().properties().forEach(e -> {
            if (intrinsics.exists(e.getValue())) {
                outputs.put(e.getKey(), intrinsics.string(e.getValue().path("Value")));
            }
        });
        return outputs;
    }
}
