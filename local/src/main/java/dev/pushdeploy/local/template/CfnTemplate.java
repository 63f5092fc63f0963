package dev.pushdeploy.local.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.StreamSupport;

/**
 * A CloudFormation/SAM template as written (before any transform): its parameters, conditions and
 * resources, and the parameter values CloudFormation would use for a deployment.
 */
public final class CfnTemplate {
    /** The parameter type CloudFormation resolves from Parameter Store on every deploy. */
    public static final String SSM_STRING = "AWS::SSM::Parameter::Value<String>";

    private final JsonNode root;

    private CfnTemplate(JsonNode root) {
        if (!root.path("Resources").isObject()) {
            throw new IllegalArgumentException("not a CloudFormation template: no Resources");
        }
        this.root = root;
    }

    public static CfnTemplate load(Path file) {
        return new CfnTemplate(CfnYaml.read(file));
    }

    public static CfnTemplate parse(String text) {
        return new CfnTemplate(CfnYaml.parse(text));
    }

    public JsonNode root() {
        return root;
    }

    public JsonNode parameters() {
        return root.path("Parameters");
    }

    public JsonNode conditions() {
        return root.path("Conditions");
    }

    public JsonNode globals() {
        return root.path("Globals");
    }

    /** The resource's definition; a missing node when there is none. */
    public JsonNode resource(String logicalId) {
        return root.path("Resources").path(logicalId);
    }

    public JsonNode properties(String logicalId) {
        return resource(logicalId).path("Properties");
    }

    public String type(String logicalId) {
        return resource(logicalId).path("Type").asText(null);
    }

    /** Logical id → definition of every resource of that type, in template order. */
    public Map<String, JsonNode> resources(String type) {
        Map<String, JsonNode> found = new LinkedHashMap<>();
        root.path("Resources").properties().forEach(e -> {
            if (type.equals(e.getValue().path("Type").asText())) {
                found.put(e.getKey(), e.getValue());
            }
        });
        return found;
    }

    public String parameterType(String name) {
        return parameters().path(name).path("Type").asText(null);
    }

    public Optional<String> parameterDefault(String name) {
        JsonNode value = parameters().path(name).path("Default");
        return value.isMissingNode() || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    /**
     * The values CloudFormation would use: {@code overrides}, else the defaults; parameters of type
     * {@value #SSM_STRING} are replaced by the value of the Parameter Store parameter they name
     * ({@code ssm} answers empty for a missing one, which fails as the deploy would).
     */
    public Map<String, String> parameterValues(Map<String, String> overrides, Function<String, Optional<String>> ssm) {
        Map<String, String> values = new LinkedHashMap<>();
        parameters().properties().forEach(e -> {
            String name = e.getKey();
            String value = overrides.containsKey(name) ? overrides.get(name) : parameterDefault(name).orElse(null);
            if (value == null) {
                throw new IllegalArgumentException("parameter " + name + " has no value and no default");
            }
            JsonNode allowed = e.getValue().path("AllowedValues");
            if (overrides.containsKey(name) && allowed.isArray()
                    && StreamSupport.stream(allowed.spliterator(), false).noneMatch(v -> v.asText().equals(overrides.get(name)))) {
                throw new IllegalArgumentException("parameter " + name + " must be one of " + allowed + ", not " + value);
            }
            if (SSM_STRING.equals(e.getValue().path("Type").asText())) {
                String parameterName = value;
                value = ssm.apply(parameterName).orElseThrow(() -> new IllegalStateException(
                        "parameter " + name + ": SSM parameter " + parameterName + " does not exist"));
            }
            values.put(name, value);
        });
        return values;
    }

    static JsonNode missing() {
        return MissingNode.getInstance();
    }
}
