package dev.pushdeploy.local.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.config.Env;
import dev.pushdeploy.local.lambda.FunctionSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the local runtime takes from {@code template.yaml}: the functions (handler strings and
 * environments), the EventBridge rule patterns that start the state machine, the state machine
 * (definition file and substitutions) and the configuration parameter.
 */
public final class PipelineTemplate {
    private static final List<String> FUNCTION_TYPES = List.of("AWS::Serverless::Function", "AWS::Lambda::Function");

    private final Template template;

    public PipelineTemplate(Template template) {
        this.template = template;
    }

    public static PipelineTemplate load(Path file) {
        return new PipelineTemplate(Template.load(file, Map.of()));
    }

    public Template template() {
        return template;
    }

    /** Every function with a handler string, its environment merged over {@code Globals.Function}. */
    public List<FunctionSpec> functions() {
        List<FunctionSpec> specs = new ArrayList<>();
        JsonNode globals = template.globals("Function");
        for (String type : FUNCTION_TYPES) {
            template.resources(type).forEach((id, resource) -> {
                JsonNode properties = resource.path("Properties");
                String handler = template.resolveText(properties.has("Handler") ? properties.get("Handler") : globals.get("Handler"));
                if (handler == null) {
                    return;
                }
                Map<String, String> environment = new LinkedHashMap<>();
                variables(globals.path("Environment").path("Variables"), environment);
                variables(properties.path("Environment").path("Variables"), environment);
                specs.add(new FunctionSpec(id, handler, environment));
            });
        }
        if (specs.isEmpty()) {
            throw new IllegalStateException("template.yaml declares no function with a Handler");
        }
        return specs;
    }

    /** The event patterns of the rules that start the state machine (SAM EventBridgeRule events and AWS::Events::Rule). */
    public List<String> eventPatterns() {
        List<String> patterns = new ArrayList<>();
        for (String type : List.of("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine")) {
            template.resources(type).forEach((id, resource) -> resource.path("Properties").path("Events").forEach(event -> {
                String eventType = event.path("Type").asText();
                if (eventType.equals("EventBridgeRule") || eventType.equals("CloudWatchEvent")) {
                    patterns.add(template.resolve(event.path("Properties").path("Pattern")).toString());
                }
            }));
        }
        template.resources("AWS::Events::Rule").forEach((id, rule) -> {
            JsonNode pattern = rule.path("Properties").path("EventPattern");
            boolean startsStateMachine = false;
            for (JsonNode target : rule.path("Properties").path("Targets")) {
                String arn = template.resolveText(target.path("Arn"));
                startsStateMachine |= arn != null && arn.contains(":states:");
            }
            if (!pattern.isMissingNode() && startsStateMachine) {
                patterns.add(template.resolve(pattern).toString());
            }
        });
        if (patterns.isEmpty()) {
            throw new IllegalStateException("template.yaml has no EventBridge rule that starts the state machine");
        }
        return patterns;
    }

    /** The state machine: its name, definition file and resolved substitutions. */
    public StateMachineSpec stateMachine() {
        for (String type : List.of("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine")) {
            for (Map.Entry<String, JsonNode> entry : template.resources(type).entrySet()) {
                JsonNode properties = entry.getValue().path("Properties");
                String uri = template.resolveText(properties.has("DefinitionUri") ? properties.get("DefinitionUri")
                        : properties.path("DefinitionS3Location"));
                if (uri == null) {
                    continue;
                }
                Map<String, String> substitutions = new LinkedHashMap<>();
                variables(properties.path("DefinitionSubstitutions"), substitutions);
                return new StateMachineSpec(entry.getKey(), template.physicalName(entry.getKey()),
                        template.directory().resolve(uri).normalize(), substitutions);
            }
        }
        throw new IllegalStateException("template.yaml has no state machine with a DefinitionUri");
    }

    /** The name of the configuration parameter, as the functions receive it. */
    public String configParameterName() {
        return functions().stream().map(f -> f.environment().get(Env.CONFIG_PARAMETER))
                .filter(v -> v != null).findFirst()
                .orElseThrow(() -> new IllegalStateException("no function of template.yaml gets " + Env.CONFIG_PARAMETER));
    }

    /** The configuration document the template writes into that parameter, when it declares one. */
    public Optional<String> configDocument() {
        String name = configParameterName();
        for (Map.Entry<String, JsonNode> parameter : template.resources("AWS::SSM::Parameter").entrySet()) {
            if (template.physicalName(parameter.getKey()).equals(name)) {
                return Optional.ofNullable(template.resolveText(parameter.getValue().path("Properties").path("Value")));
            }
        }
        return Optional.empty();
    }

    private void variables(JsonNode node, Map<String, String> into) {
        JsonNode resolved = template.resolve(node);
        if (resolved instanceof ObjectNode object) {
            object.fields().forEachRemaining(v -> into.put(v.getKey(), v.getValue().asText()));
        }
    }

    /**
     * @param logicalId     the state machine's logical id
     * @param name          its physical name in the local stack
     * @param definition    the ASL file
     * @param substitutions {@code ${Key}} → value, resolved
     */
    public record StateMachineSpec(String logicalId, String name, Path definition, Map<String, String> substitutions) {
        public StateMachineSpec {
            substitutions = Map.copyOf(substitutions);
        }

        /** The ASL with every {@code ${Key}} of the substitutions replaced. */
        public String definitionText() {
            try {
                String text = java.nio.file.Files.readString(definition);
                for (Map.Entry<String, String> s : substitutions.entrySet()) {
                    text = text.replace("${" + s.getKey() + "}", s.getValue());
                }
                return text;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot read " + definition, e);
            }
        }
    }
}
