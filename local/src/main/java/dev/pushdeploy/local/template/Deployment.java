package dev.pushdeploy.local.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One deployment of an expanded template: the stack's name, region and account, its parameter
 * values (as {@link CfnTemplate#parameterValues} resolves them) and the physical ids of its
 * resources; everything else is evaluated from the template on demand.
 *
 * <p>A nested stack ({@value #STACK}, as aws-sam-translator also makes an
 * {@code AWS::Serverless::Application}) whose {@code TemplateURL} is a path relative to this
 * template (as {@code sam package} uploads it) is a deployment of its own ({@link #nested}): that
 * template expanded, its parameters the values this stack passes, checked and resolved as
 * CloudFormation does (SSM-typed ones read from Parameter Store when the nested stack is first
 * evaluated), named {@code <stack>-<LogicalId>}; {@code Fn::GetAtt Nested.Outputs.Name} is one of
 * its outputs.
 */
public final class Deployment {
    /** The type of a nested stack. */
    public static final String STACK = "AWS::CloudFormation::Stack";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Function<String, Optional<String>> NO_PARAMETER_STORE = name -> {
        throw new IllegalStateException("this deployment reads no Parameter Store parameter (" + name + ")");
    };
    private final CfnTemplate template;
    private final String stackName;
    private final String region;
    private final String account;
    private final Map<String, String> parameters;
    private final Intrinsics intrinsics;
    private final PhysicalIds ids;
    private final Function<String, Optional<String>> ssm;
    private final Map<String, Deployment> nested = new HashMap<>();

    /** A deployment whose nested stacks, if any, declare no SSM-typed parameter. */
    public Deployment(CfnTemplate template, Map<String, String> parameters, String stackName, String region, String account,
                      PhysicalIds ids) {
        this(template, parameters, stackName, region, account, ids, NO_PARAMETER_STORE);
    }

    /**
     * @param ssm what the Parameter Store parameters named by the SSM-typed parameters of nested
     *            stacks hold (empty: there is no such parameter)
     */
    public Deployment(CfnTemplate template, Map<String, String> parameters, String stackName, String region, String account,
                      PhysicalIds ids, Function<String, Optional<String>> ssm) {
        this.template = template;
        this.stackName = stackName;
        this.region = region;
        this.account = account;
        this.parameters = Map.copyOf(parameters);
        this.ids = ids;
        this.ssm = ssm;
        this.intrinsics = new Intrinsics(template, parameters, pseudo(stackName, region, account), ids, this);
    }

    /** Pseudo parameters of a stack in the given region and account (partition aws). */
    static Map<String, String> pseudo(String stackName, String region, String account) {
        return Map.of("AWS::StackName", stackName, "AWS::Region", region, "AWS::AccountId", account,
                "AWS::Partition", "aws", "AWS::URLSuffix", "amazonaws.com",
                "AWS::StackId", stackArn(stackName, region, account));
    }

    /** The ARN of the local stack {@code stackName} (its id part fixed). */
    static String stackArn(String stackName, String region, String account) {
        return "arn:aws:cloudformation:" + region + ":" + account + ":stack/" + stackName + "/00000000-0000-0000-0000-000000000000";
    }

    /** The name of the nested stack {@code logicalId} of this stack. */
    String nestedStackName(String logicalId) {
        return stackName + "-" + logicalId;
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

    /** The stack's ARN ({@code AWS::StackId}). */
    public String stackId() {
        return intrinsics.string(NODES.objectNode().put("Ref", "AWS::StackId"));
    }

    /**
     * The deployment of the nested stack {@code logicalId}, evaluated on first use (its SSM-typed
     * parameters read then) and the same for the life of this deployment.
     */
    public Deployment nested(String logicalId) {
        Deployment known = nested.get(logicalId);
        if (known != null) {
            return known;
        }
        if (!STACK.equals(template.type(logicalId))) {
            throw new IllegalArgumentException(logicalId + " is not a nested stack (" + STACK + ")");
        }
        if (!exists(logicalId)) {
            throw new IllegalStateException("nested stack " + logicalId + " is not part of this deployment (condition "
                    + template.resource(logicalId).path("Condition").asText() + " is false)");
        }
        JsonNode properties = properties(logicalId);
        String url = properties.path("TemplateURL").asText("");
        Map<String, String> passed = new LinkedHashMap<>();
        properties.path("Parameters").properties().forEach(p -> {
            if (p.getValue().isContainerNode()) {
                throw new IllegalArgumentException("nested stack " + logicalId + ": parameter " + p.getKey()
                        + " is not a string: " + p.getValue());
            }
            passed.put(p.getKey(), p.getValue().asText());
        });
        Deployment deployment;
        try {
            CfnTemplate child = CfnTemplate.expand(nestedTemplate(url), region, account, passed);
            deployment = new Deployment(child, child.parameterValues(passed, ssm), nestedStackName(logicalId), region, account,
                    ids.nested(logicalId), ssm);
        } catch (RuntimeException e) {
            throw new IllegalStateException("nested stack " + logicalId + " (" + url + "): " + e.getMessage(), e);
        }
        nested.put(logicalId, deployment);
        return deployment;
    }

    private Path nestedTemplate(String url) {
        if (url.isEmpty() || CfnTemplate.isUrl(url)) {
            throw new IllegalArgumentException("TemplateURL must be a file path relative to the template (as sam package uploads it),"
                    + " not '" + url + "': the local runtime reads nested templates from files");
        }
        Path file = template.directory().resolve(url).normalize();
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no template at " + file);
        }
        return file;
    }
}
