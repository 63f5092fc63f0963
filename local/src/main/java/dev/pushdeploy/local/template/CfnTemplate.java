package dev.pushdeploy.local.template;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.StreamSupport;

/**
 * A CloudFormation template after the SAM transform ({@link SamTranslator}): its parameters,
 * conditions, resources and outputs, and the parameter values CloudFormation would use for a
 * deployment. Local artifact paths stay relative to {@link #directory()}.
 */
public final class CfnTemplate {
    /** The parameter type CloudFormation resolves from Parameter Store on every deploy. */
    public static final String SSM_STRING = "AWS::SSM::Parameter::Value<String>";

    private final JsonNode root;
    private final Path directory;
    private final String region;
    private final String account;

    CfnTemplate(JsonNode root, Path directory, String region, String account) {
        if (!root.path("Resources").isObject()) {
            throw new IllegalArgumentException("not a CloudFormation template: no Resources");
        }
        this.root = root;
        this.directory = directory;
        this.region = region;
        this.account = account;
    }

    /**
     * The SAM template at {@code file}, expanded by aws-sam-translator.
     *
     * @param parameters the values given to the transform (others take their defaults)
     */
    public static CfnTemplate expand(Path file, String region, String account, Map<String, String> parameters) {
        Path absolute = file.toAbsolutePath().normalize();
        return new CfnTemplate(SamTranslator.expand(absolute, region, account, parameters), absolute.getParent(), region, account);
    }

    /**
     * This template with {@code services} services: beyond two, the second service's block once more
     * per extra service ({@link ServiceCopies}); fewer leave it as it is.
     */
    public CfnTemplate withServices(int services) {
        return new CfnTemplate(ServiceCopies.withServices(root, services), directory, region, account);
    }

    public JsonNode root() {
        return root;
    }

    /** The folder of the template: local artifact paths (code, definitions) are relative to it. */
    public Path directory() {
        return directory;
    }

    /**
     * The template files of its nested stacks whose {@code TemplateURL} is a path (written as it
     * is, relative to this template, as {@code sam package} uploads it), and theirs, in template
     * order: what a linter of this template lints too.
     */
    public List<Path> nestedTemplates() {
        List<Path> files = new ArrayList<>();
        resources(Deployment.STACK).values().forEach(stack -> {
            JsonNode url = stack.path("Properties").path("TemplateURL");
            if (url.isTextual() && !isUrl(url.asText())) {
                Path file = directory.resolve(url.asText()).normalize();
                files.add(file);
                files.addAll(expand(file, region, account, Map.of()).nestedTemplates());
            }
        });
        return files;
    }

    /** Whether a {@code TemplateURL} is a URL (https://, s3://...), not a path. */
    static boolean isUrl(String templateUrl) {
        return templateUrl.matches("(?i)^[a-z][a-z0-9+.-]*://.*");
    }

    public JsonNode parameters() {
        return root.path("Parameters");
    }

    public JsonNode conditions() {
        return root.path("Conditions");
    }

    public JsonNode mappings() {
        return root.path("Mappings");
    }

    public JsonNode outputs() {
        return root.path("Outputs");
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

    /** Logical id → definition of every resource, in template order. */
    public Map<String, JsonNode> resources() {
        Map<String, JsonNode> all = new LinkedHashMap<>();
        root.path("Resources").properties().forEach(e -> all.put(e.getKey(), e.getValue()));
        return all;
    }

    /** Logical id → definition of every resource of that type, in template order. */
    public Map<String, JsonNode> resources(String type) {
        Map<String, JsonNode> found = new LinkedHashMap<>();
        resources().forEach((id, resource) -> {
            if (type.equals(resource.path("Type").asText())) {
                found.put(id, resource);
            }
        });
        return found;
    }

    /**
     * Intrinsic functions the template uses (in any branch, under any condition) that deployments
     * of it cannot evaluate.
     */
    public Set<String> unsupportedFunctions() {
        Set<String> unsupported = new TreeSet<>();
        collectFunctions(root, unsupported);
        unsupported.removeAll(Intrinsics.FUNCTIONS);
        return unsupported;
    }

    private static void collectFunctions(JsonNode node, Set<String> into) {
        if (node.isObject() && node.size() == 1) {
            String key = node.fieldNames().next();
            if (key.startsWith("Fn::")) {
                into.add(key);
            }
        }
        node.forEach(child -> collectFunctions(child, into));
    }

    public String parameterType(String name) {
        return parameters().path(name).path("Type").asText(null);
    }

    public Optional<String> parameterDefault(String name) {
        JsonNode value = parameters().path(name).path("Default");
        return value.isMissingNode() || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    /**
     * The values CloudFormation would use: {@code overrides}, else the defaults, each checked
     * against its parameter's constraints; parameters of type {@value #SSM_STRING} are replaced by
     * the value of the Parameter Store parameter they name ({@code ssm} answers empty for a missing
     * one, which fails as the deploy would).
     */
    public Map<String, String> parameterValues(Map<String, String> overrides, Function<String, Optional<String>> ssm) {
        overrides.keySet().forEach(name -> {
            if (!parameters().has(name)) {
                throw new IllegalArgumentException("the template has no parameter " + name);
            }
        });
        Map<String, String> values = new LinkedHashMap<>();
        parameters().properties().forEach(e -> {
            String name = e.getKey();
            String value = overrides.containsKey(name) ? overrides.get(name) : parameterDefault(name).orElse(null);
            if (value == null) {
                throw new IllegalArgumentException("parameter " + name + " has no value and no default");
            }
            check(name, e.getValue(), value);
            if (SSM_STRING.equals(e.getValue().path("Type").asText())) {
                String parameterName = value;
                value = ssm.apply(parameterName).orElseThrow(() -> new IllegalStateException(
                        "parameter " + name + ": SSM parameter " + parameterName + " does not exist"));
            }
            values.put(name, value);
        });
        return values;
    }

    private static void check(String name, JsonNode definition, String value) {
        JsonNode allowed = definition.path("AllowedValues");
        if (allowed.isArray() && StreamSupport.stream(allowed.spliterator(), false).noneMatch(v -> v.asText().equals(value))) {
            throw new IllegalArgumentException("parameter " + name + " must be one of " + allowed + ", not '" + value + "'");
        }
        String type = definition.path("Type").asText();
        if (type.equals("String") && definition.has("AllowedPattern") && !value.matches(definition.get("AllowedPattern").asText())) {
            throw new IllegalArgumentException("parameter " + name + " must match " + definition.get("AllowedPattern").asText()
                    + ", not '" + value + "'");
        }
        if (type.equals("String") && (value.length() < definition.path("MinLength").asInt(0)
                || value.length() > definition.path("MaxLength").asInt(Integer.MAX_VALUE))) {
            throw new IllegalArgumentException("parameter " + name + " must be " + definition.path("MinLength").asInt(0) + " to "
                    + definition.path("MaxLength").asInt(Integer.MAX_VALUE) + " characters long, not " + value.length());
        }
        if (type.equals("Number")) {
            BigDecimal number;
            try {
                number = new BigDecimal(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("parameter " + name + " must be a number, not '" + value + "'");
            }
            if (definition.has("MinValue") && number.compareTo(new BigDecimal(definition.get("MinValue").asText())) < 0
                    || definition.has("MaxValue") && number.compareTo(new BigDecimal(definition.get("MaxValue").asText())) > 0) {
                throw new IllegalArgumentException("parameter " + name + " must be within [" + definition.path("MinValue").asText("")
                        + ", " + definition.path("MaxValue").asText("") + "], not " + value);
            }
        }
    }
}
