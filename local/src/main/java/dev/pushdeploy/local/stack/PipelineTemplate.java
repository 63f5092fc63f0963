package dev.pushdeploy.local.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.handler.Env;
import dev.pushdeploy.local.events.RuleSpec;
import dev.pushdeploy.local.lambda.FunctionSpec;
import dev.pushdeploy.local.template.CfnEvaluator;
import dev.pushdeploy.local.template.CfnTemplate;
import dev.pushdeploy.local.template.Stack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the local runtime takes from {@code template.yaml}, evaluated for a local stack named
 * {@value #STACK_NAME} in {@value #REGION} / {@value #ACCOUNT}: the functions (handler strings and
 * environments), the EventBridge rule patterns that start the state machine, the state machine
 * (definition file and substitutions) and the configuration document.
 *
 * <p>Resources the template names get those names (the template helper's {@link Stack}); the
 * others get local physical ids: a function is named by its logical id (its alias ARN is
 * {@code arn:aws:lambda:…:function:<LogicalId>:<AutoPublishAlias>}), other resources
 * {@code pushdeploy-<LogicalId>}; the database's endpoint is {@code localhost:5432} (the bootstrap
 * points the configuration at the embedded server's real port). Parameters keep their defaults
 * but {@link #PARAMETERS} and those given to {@link #load(Path, Map)}; the release parameters ({@value CfnTemplate#SSM_STRING}) read
 * {@code none}, as before the first release.
 */
public final class PipelineTemplate {
    public static final String STACK_NAME = "pushdeploy";
    public static final String REGION = "us-east-1";
    public static final String ACCOUNT = "123456789012";
    /** Parameters that differ from the template's defaults: the database is on, so postgres secrets run too. */
    public static final Map<String, String> PARAMETERS = Map.of("EnableDatabase", "true");
    private static final List<String> FUNCTION_TYPES = List.of("AWS::Serverless::Function", "AWS::Lambda::Function");
    private static final List<String> STATE_MACHINE_TYPES = List.of("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine");

    private final CfnTemplate template;
    private final Path directory;
    private final Stack stack;

    private PipelineTemplate(CfnTemplate template, Path directory, Map<String, String> parameters) {
        this.template = template;
        this.directory = directory;
        Map<String, String> values = new HashMap<>(PARAMETERS);
        values.putAll(parameters);
        this.stack = new Stack(template, template.parameterValues(values, name -> Optional.of("none")), STACK_NAME, REGION,
                ACCOUNT, bindings(template)).withPlaceholders();
    }

    public static PipelineTemplate load(Path file) {
        return load(file, Map.of());
    }

    /** The template evaluated with {@code parameters} over {@link #PARAMETERS} and the defaults. */
    public static PipelineTemplate load(Path file, Map<String, String> parameters) {
        Path absolute = file.toAbsolutePath().normalize();
        return new PipelineTemplate(CfnTemplate.load(absolute), absolute.getParent(), parameters);
    }

    /** The ARN of a local function (unqualified). */
    public static String functionArn(String logicalId) {
        return "arn:aws:lambda:" + REGION + ":" + ACCOUNT + ":function:" + logicalId;
    }

    /** Every function with a handler string, its environment merged over {@code Globals.Function}. */
    public List<FunctionSpec> functions() {
        List<FunctionSpec> specs = new ArrayList<>();
        JsonNode globals = template.globals().path("Function");
        for (String type : FUNCTION_TYPES) {
            template.resources(type).forEach((id, resource) -> {
                if (!stack.exists(id)) {
                    return;
                }
                JsonNode properties = resource.path("Properties");
                JsonNode handler = properties.has("Handler") ? properties.get("Handler") : globals.path("Handler");
                if (handler.isMissingNode()) {
                    return;
                }
                Map<String, String> environment = new LinkedHashMap<>();
                variables(globals.path("Environment").path("Variables"), environment);
                variables(properties.path("Environment").path("Variables"), environment);
                specs.add(new FunctionSpec(id, evaluator().string(handler), environment));
            });
        }
        if (specs.isEmpty()) {
            throw new IllegalStateException("template.yaml declares no function with a Handler");
        }
        return specs;
    }

    /** The event patterns of the rules that start the state machine (AWS::Events::Rule, SAM EventBridgeRule events). */
    public List<String> eventPatterns() {
        List<String> patterns = rules().stream()
                .filter(rule -> rule.targets().stream().anyMatch(arn -> arn.contains(":states:")))
                .map(RuleSpec::pattern)
                .toList();
        if (patterns.isEmpty()) {
            throw new IllegalStateException("template.yaml has no EventBridge rule that starts the state machine");
        }
        return patterns;
    }

    /**
     * Every EventBridge rule of the template on the default bus: {@code AWS::Events::Rule} resources
     * with an event pattern, and the EventBridgeRule / CloudWatchEvent events of SAM functions and
     * state machines (their target is the function's alias, or the state machine). A rule's
     * {@code State} is not read: locally the release that enables the push rule always exists.
     * Targets that transform their input are refused (the local bus delivers events as they are).
     */
    public List<RuleSpec> rules() {
        List<RuleSpec> rules = new ArrayList<>();
        template.resources("AWS::Events::Rule").forEach((id, rule) -> {
            JsonNode properties = rule.path("Properties");
            if (!stack.exists(id) || !properties.has("EventPattern") || properties.hasNonNull("EventBusName")) {
                return;
            }
            List<String> targets = new ArrayList<>();
            for (JsonNode target : properties.path("Targets")) {
                for (String transform : List.of("Input", "InputPath", "InputTransformer")) {
                    if (target.has(transform)) {
                        throw new IllegalStateException("rule " + id + ": the local event bus does not apply " + transform);
                    }
                }
                targets.add(evaluator().evaluate(target.path("Arn")).asText());
            }
            rules.add(new RuleSpec(id, evaluator().evaluate(properties.path("EventPattern")).toString(), targets));
        });
        String alias = template.globals().path("Function").path("AutoPublishAlias").asText("live");
        for (String type : FUNCTION_TYPES) {
            template.resources(type).forEach((id, function) -> events(id, function, functionArn(id) + ":" + alias, rules));
        }
        for (String type : STATE_MACHINE_TYPES) {
            template.resources(type).forEach((id, machine) -> events(id, machine, stack.ref(id), rules));
        }
        return rules;
    }

    private void events(String id, JsonNode resource, String target, List<RuleSpec> into) {
        if (!stack.exists(id)) {
            return;
        }
        resource.path("Properties").path("Events").properties().forEach(event -> {
            String kind = event.getValue().path("Type").asText();
            JsonNode properties = event.getValue().path("Properties");
            if ((kind.equals("EventBridgeRule") || kind.equals("CloudWatchEvent")) && !properties.hasNonNull("EventBusName")) {
                into.add(new RuleSpec(id + event.getKey(), evaluator().evaluate(properties.path("Pattern")).toString(),
                        List.of(target)));
            }
        });
    }

    /** The deployment workflow's state machine: its name, definition file and resolved substitutions. */
    public StateMachineSpec stateMachine() {
        return stateMachines().get(0);
    }

    /**
     * Every state machine of this deployment with a local definition file, in the template's order
     * (the deployment workflow first; with a second service, the release's).
     */
    public List<StateMachineSpec> stateMachines() {
        List<StateMachineSpec> machines = new ArrayList<>();
        for (String type : STATE_MACHINE_TYPES) {
            for (Map.Entry<String, JsonNode> entry : template.resources(type).entrySet()) {
                JsonNode properties = entry.getValue().path("Properties");
                JsonNode location = properties.has("DefinitionUri") ? properties.get("DefinitionUri") : properties.path("DefinitionS3Location");
                if (!location.isTextual() || !stack.exists(entry.getKey())) {
                    continue;
                }
                Map<String, String> substitutions = new LinkedHashMap<>();
                variables(properties.path("DefinitionSubstitutions"), substitutions);
                JsonNode name = properties.has("StateMachineName") ? properties.get("StateMachineName") : properties.path("Name");
                machines.add(new StateMachineSpec(entry.getKey(),
                        name.isMissingNode() ? STACK_NAME + "-" + entry.getKey() : evaluator().string(name),
                        directory.resolve(location.asText()).normalize(), substitutions));
            }
        }
        if (machines.isEmpty()) {
            throw new IllegalStateException("template.yaml has no state machine with a local definition file");
        }
        return machines;
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
            if (stack.exists(parameter.getKey()) && stack.ref(parameter.getKey()).equals(name)) {
                return Optional.of(evaluator().string(parameter.getValue().path("Properties").path("Value")));
            }
        }
        return Optional.empty();
    }

    /** The evaluated properties of the template's ECS service named {@code serviceName}, if it declares one. */
    public Optional<JsonNode> ecsService(String serviceName) {
        for (String id : template.resources("AWS::ECS::Service").keySet()) {
            if (stack.exists(id)) {
                JsonNode properties = stack.properties(id);
                if (serviceName.equals(properties.path("ServiceName").asText())) {
                    return Optional.of(properties);
                }
            }
        }
        return Optional.empty();
    }

    private CfnEvaluator evaluator() {
        return stack.evaluator();
    }

    private void variables(JsonNode node, Map<String, String> into) {
        evaluator().evaluate(node).properties().forEach(v -> into.put(v.getKey(), v.getValue().asText()));
    }

    /** Local physical ids of the resources the template leaves unnamed. */
    private static Map<String, String> bindings(CfnTemplate template) {
        Map<String, String> bindings = new HashMap<>();
        bindings.put("Database.Endpoint.Address", "localhost");
        bindings.put("Database.Endpoint.Port", "5432");
        String alias = template.globals().path("Function").path("AutoPublishAlias").asText("live");
        String arn = "arn:aws:%s:" + REGION + ":" + ACCOUNT + ":";
        template.root().path("Resources").properties().forEach(resource -> {
            String id = resource.getKey();
            String name = STACK_NAME + "-" + id;
            switch (resource.getValue().path("Type").asText()) {
                case "AWS::Serverless::Function", "AWS::Lambda::Function" -> {
                    bindings.put(id, id);
                    bindings.put(id + ".Arn", functionArn(id));
                    bindings.put(id + ".Alias", functionArn(id) + ":" + alias);
                }
                case "AWS::DynamoDB::Table" -> {
                    bindings.put(id, name);
                    bindings.put(id + ".Arn", arn.formatted("dynamodb") + "table/" + name);
                }
                case "AWS::SNS::Topic" -> {
                    bindings.put(id, arn.formatted("sns") + name);
                    bindings.put(id + ".TopicArn", arn.formatted("sns") + name);
                    bindings.put(id + ".TopicName", name);
                }
                case "AWS::KMS::Key" -> {
                    bindings.put(id, name);
                    bindings.put(id + ".Arn", arn.formatted("kms") + "key/" + name);
                }
                case "AWS::SQS::Queue" -> {
                    bindings.put(id, "http://sqs." + REGION + ".localhost/" + ACCOUNT + "/" + name);
                    bindings.put(id + ".Arn", arn.formatted("sqs") + name);
                    bindings.put(id + ".QueueName", name);
                }
                case "AWS::IAM::Role" -> {
                    bindings.put(id, name);
                    bindings.put(id + ".Arn", "arn:aws:iam::" + ACCOUNT + ":role/" + name);
                }
                default -> {
                }
            }
        });
        return bindings;
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
                String text = Files.readString(definition);
                for (Map.Entry<String, String> s : substitutions.entrySet()) {
                    text = text.replace("${" + s.getKey() + "}", s.getValue());
                }
                return text;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + definition, e);
            }
        }
    }
}
