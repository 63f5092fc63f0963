package dev.pushdeploy.local.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.handler.Env;
import dev.pushdeploy.local.events.RuleSpec;
import dev.pushdeploy.local.events.TargetPolicy;
import dev.pushdeploy.local.lambda.FunctionSpec;
import dev.pushdeploy.local.template.AwsNames;
import dev.pushdeploy.local.template.CfnTemplate;
import dev.pushdeploy.local.template.Deployment;
import dev.pushdeploy.local.template.PhysicalIds;
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
import java.util.function.Function;

/**
 * What the local runtime takes from one deployment of {@code template.yaml} (expanded by
 * aws-sam-translator): the functions (handler strings and environments), the EventBridge rules,
 * the state machines (definition and substitutions) and the configuration document.
 *
 * <p>The local stack is named {@value #STACK_NAME}, in {@value #REGION} / {@value #ACCOUNT}.
 * Resources the template leaves unnamed get local names ({@link #localNames()}): a function its
 * logical id (as {@code sam local invoke} names it), anything else {@code <stack>-<LogicalId>}.
 */
public final class PipelineTemplate {
    public static final String STACK_NAME = "pushdeploy";
    public static final String REGION = "us-east-1";
    public static final String ACCOUNT = "123456789012";
    /** Parameters that differ from the template's defaults: the database is on, so postgres secrets run too. */
    public static final Map<String, String> PARAMETERS = Map.of("EnableDatabase", "true");

    /** Lambda's own defaults, for a function that declares no Timeout (seconds) or MemorySize (MB). */
    private static final int LAMBDA_DEFAULT_TIMEOUT = 3;
    private static final int LAMBDA_DEFAULT_MEMORY = 128;

    private final Deployment deployment;

    public PipelineTemplate(Deployment deployment) {
        this.deployment = deployment;
    }

    /**
     * The template at {@code file} expanded for the local stack, with {@code parameters} over
     * {@link #PARAMETERS} (the transform and every later evaluation see the same values).
     */
    public static LocalTemplate expand(Path file, Map<String, String> parameters) {
        return expand(file, parameters, 1);
    }

    /**
     * The same with {@code services} services (at least 1). From two on, services 2 to
     * {@code services} are the template's second service and copies of its block (as
     * {@link CfnTemplate#withServices} makes them), service {@code k} with a parameter set of its own:
     * named {@code <AppName><k>} (the second keeps a {@code SecondServiceName} given), routed by
     * the path {@code /<name>/*} (its release parameters follow its name, as the template builds
     * them); parameters given for a copy ({@code Service3…}) win.
     */
    public static LocalTemplate expand(Path file, Map<String, String> parameters, int services) {
        if (services < 1) {
            throw new IllegalArgumentException("services must be at least 1, not " + services);
        }
        Map<String, String> values = new HashMap<>(PARAMETERS);
        values.putAll(parameters);
        CfnTemplate template = CfnTemplate.expand(file, REGION, ACCOUNT, values);
        if (services == 1) {
            return new LocalTemplate(template, values);
        }
        Map<String, String> all = new HashMap<>(values);
        for (int k = 2; k <= services; k++) {
            serviceParameters(template, values, k).forEach(all::putIfAbsent);
        }
        return new LocalTemplate(template.withServices(services), all);
    }

    /** The parameter set of service {@code k} (2 or more): its name and path. */
    private static Map<String, String> serviceParameters(CfnTemplate template, Map<String, String> values, int k) {
        String prefix = k == 2 ? "Second" : "Service" + k;
        Function<String, String> value = parameter -> values.getOrDefault(parameter, template.parameterDefault(parameter).orElse(""));
        String name = k == 2 && !value.apply("SecondServiceName").isEmpty() ? value.apply("SecondServiceName") : value.apply("AppName") + k;
        return Map.of(prefix + "ServiceName", name, prefix + "PathPattern", "/" + name + "/*");
    }

    /** Names of the local stack's resources the template leaves unnamed ({@link #localName}). */
    public static AwsNames localNames() {
        return new AwsNames(PipelineTemplate::localName, Map.of());
    }

    /** The local name of a resource the template leaves unnamed: a function's is its logical id, others {@code <stack>-<LogicalId>}. */
    public static String localName(String logicalId, String type) {
        return type.equals("AWS::Lambda::Function") ? logicalId : STACK_NAME + "-" + logicalId;
    }

    /** The ARN of a local function (unqualified). */
    public static String functionArn(String name) {
        return "arn:aws:lambda:" + REGION + ":" + ACCOUNT + ":function:" + name;
    }

    public Deployment deployment() {
        return deployment;
    }

    private int number(String function, JsonNode properties, String name, int lambdaDefault) {
        if (!properties.has(name)) {
            return lambdaDefault;
        }
        String value = deployment.string(properties.get(name));
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("function " + function + ": " + name + " is not a number: " + value, e);
        }
    }

    /** Every function the deployment creates, with its handler string, environment, timeout and memory. */
    public List<FunctionSpec> functions() {
        List<FunctionSpec> specs = new ArrayList<>();
        deployment.template().resources("AWS::Lambda::Function").keySet().forEach(id -> {
            if (deployment.exists(id)) {
                specs.add(function(id));
            }
        });
        if (specs.isEmpty()) {
            throw new IllegalStateException("template.yaml declares no function");
        }
        return specs;
    }

    /** The function {@code id} of the deployment, with its handler string, environment, timeout and memory. */
    public FunctionSpec function(String id) {
        JsonNode properties = deployment.template().properties(id);
        if (!properties.has("Handler")) {
            throw new IllegalStateException("function " + id + " has no Handler: only zip functions with a Java handler run locally");
        }
        Map<String, String> environment = new LinkedHashMap<>();
        deployment.evaluate(properties.path("Environment").path("Variables")).properties()
                .forEach(v -> environment.put(v.getKey(), v.getValue().asText()));
        return new FunctionSpec(deployment.ref(id), deployment.string(properties.get("Handler")), environment,
                number(id, properties, "Timeout", LAMBDA_DEFAULT_TIMEOUT), number(id, properties, "MemorySize", LAMBDA_DEFAULT_MEMORY));
    }

    /**
     * The EventBridge rules of the deployment on the default bus that are enabled (before the first
     * release the push rule is not): name, pattern, the ARNs of the targets. SAM's event rules are
     * {@code AWS::Events::Rule} resources after the transform. Targets that transform their input
     * are refused (the local bus delivers events as they are).
     */
    public List<RuleSpec> rules() {
        return rules(false);
    }

    /** The event patterns of the rules that start a state machine of the deployment, enabled or not. */
    public List<String> eventPatterns() {
        List<String> patterns = rules(true).stream()
                .filter(rule -> rule.targets().stream().anyMatch(arn -> arn.contains(":states:")))
                .map(RuleSpec::pattern)
                .toList();
        if (patterns.isEmpty()) {
            throw new IllegalStateException("template.yaml has no EventBridge rule that starts the state machine");
        }
        return patterns;
    }

    /**
     * How Lambda retries an asynchronous invocation of the function (its alias) {@code arn}: the stack's
     * AWS::Lambda::EventInvokeConfig for it (SAM's EventInvokeConfig), else Lambda's defaults.
     */
    private TargetPolicy asynchronousInvocation(String arn) {
        String[] parts = arn.split(":");
        String function = parts.length > 6 ? parts[6] : "";
        String qualifier = parts.length > 7 ? parts[7] : "$LATEST";
        for (String id : deployment.template().resources("AWS::Lambda::EventInvokeConfig").keySet()) {
            if (!deployment.exists(id)) {
                continue;
            }
            JsonNode config = deployment.properties(id);
            String name = config.path("FunctionName").asText();
            if ((name.equals(function) || name.endsWith(":function:" + function)) && config.path("Qualifier").asText("$LATEST").equals(qualifier)) {
                return new TargetPolicy(true, config.path("MaximumRetryAttempts").asInt(TargetPolicy.LAMBDA.retries()),
                        config.path("MaximumEventAgeInSeconds").asLong(TargetPolicy.LAMBDA.maxAgeSeconds()),
                        config.path("DestinationConfig").path("OnFailure").path("Destination").asText(null));
            }
        }
        return TargetPolicy.LAMBDA;
    }

    private List<RuleSpec> rules(boolean disabledToo) {
        List<RuleSpec> rules = new ArrayList<>();
        deployment.template().resources("AWS::Events::Rule").keySet().forEach(id -> {
            if (!deployment.exists(id)) {
                return;
            }
            JsonNode properties = deployment.properties(id);
            boolean enabled = !"DISABLED".equals(properties.path("State").asText("ENABLED"));
            if (!properties.has("EventPattern") || properties.hasNonNull("EventBusName") || !enabled && !disabledToo) {
                return;
            }
            List<String> targets = new ArrayList<>();
            Map<String, TargetPolicy> policies = new LinkedHashMap<>();
            for (JsonNode target : properties.path("Targets")) {
                for (String transform : List.of("Input", "InputPath", "InputTransformer")) {
                    if (target.has(transform)) {
                        throw new IllegalStateException("rule " + id + ": the local event bus does not apply " + transform);
                    }
                }
                String arn = target.path("Arn").asText();
                targets.add(arn);
                policies.put(arn, TargetPolicy.isFunction(arn) ? asynchronousInvocation(arn) : new TargetPolicy(false,
                        target.path("RetryPolicy").path("MaximumRetryAttempts").asInt(TargetPolicy.EVENTBRIDGE.retries()),
                        target.path("RetryPolicy").path("MaximumEventAgeInSeconds").asLong(TargetPolicy.EVENTBRIDGE.maxAgeSeconds()),
                        target.path("DeadLetterConfig").path("Arn").asText(null)));
            }
            JsonNode pattern = properties.path("EventPattern");
            rules.add(new RuleSpec(id, pattern.isTextual() ? pattern.asText() : pattern.toString(), targets, policies));
        });
        return rules;
    }

    /** The deployment workflow's state machine: the one an EventBridge rule starts (the push rule). */
    public StateMachineSpec stateMachine() {
        List<String> started = stateMachineIds().stream().filter(this::startedByARule).toList();
        if (started.size() != 1) {
            throw new IllegalStateException("expected one state machine that a rule of template.yaml starts, found " + started);
        }
        return stateMachine(started.get(0));
    }

    /**
     * The deployment's state machines that no rule starts (with a second service, the release's,
     * which operators start with a manifest), in the template's order.
     */
    public List<StateMachineSpec> otherStateMachines() {
        return stateMachineIds().stream().filter(id -> !startedByARule(id)).map(this::stateMachine).toList();
    }

    private List<String> stateMachineIds() {
        return deployment.template().resources("AWS::StepFunctions::StateMachine").keySet().stream()
                .filter(deployment::exists).toList();
    }

    private boolean startedByARule(String stateMachineId) {
        String arn = deployment.ref(stateMachineId);
        return rules(true).stream().anyMatch(rule -> rule.targets().contains(arn));
    }

    /** The evaluated properties of the deployment's ECS service named {@code serviceName} in {@code cluster}, if it has one. */
    public Optional<JsonNode> ecsService(String cluster, String serviceName) {
        for (String id : deployment.template().resources("AWS::ECS::Service").keySet()) {
            if (deployment.exists(id)) {
                JsonNode properties = deployment.properties(id);
                String serviceCluster = properties.path("Cluster").asText();
                if (serviceName.equals(deployment.getAtt(id, "Name"))
                        && cluster.equals(serviceCluster.substring(serviceCluster.lastIndexOf('/') + 1))) {
                    return Optional.of(properties);
                }
            }
        }
        return Optional.empty();
    }

    /** A state machine of the deployment: its name, definition and resolved substitutions. */
    public StateMachineSpec stateMachine(String id) {
        JsonNode properties = deployment.template().properties(id);
        Map<String, String> substitutions = new LinkedHashMap<>();
        deployment.evaluate(properties.path("DefinitionSubstitutions")).properties()
                .forEach(s -> substitutions.put(s.getKey(), s.getValue().asText()));
        return new StateMachineSpec(id, deployment.getAtt(id, "Name"), definition(id, properties), substitutions);
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
        for (String parameter : deployment.template().resources("AWS::SSM::Parameter").keySet()) {
            if (deployment.exists(parameter) && deployment.ref(parameter).equals(name)) {
                return Optional.of(deployment.properties(parameter).path("Value").asText());
            }
        }
        return Optional.empty();
    }

    /** The ASL: inline ({@code Definition}, {@code DefinitionString}) or a local file ({@code DefinitionS3Location}). */
    private Definition definition(String id, JsonNode properties) {
        if (properties.has("DefinitionString")) {
            return new Definition(null, deployment.string(properties.get("DefinitionString")));
        }
        if (properties.has("Definition")) {
            return new Definition(null, deployment.evaluate(properties.get("Definition")).toString());
        }
        JsonNode location = deployment.evaluate(properties.path("DefinitionS3Location"));
        String key = location.isTextual() ? location.asText() : location.path("Key").asText(null);
        if (key == null) {
            throw new IllegalStateException("state machine " + id + " has no definition");
        }
        return new Definition(deployment.template().directory().resolve(key).normalize(), null);
    }

    /** Where a state machine's ASL is: a file, or the text itself. */
    public record Definition(Path file, String text) {
        String read() {
            if (text != null) {
                return text;
            }
            try {
                return Files.readString(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
    }

    /**
     * @param logicalId     the state machine's logical id
     * @param name          its physical name
     * @param definition    the ASL
     * @param substitutions {@code ${Key}} → value, resolved
     */
    public record StateMachineSpec(String logicalId, String name, Definition definition, Map<String, String> substitutions) {
        public StateMachineSpec {
            substitutions = Map.copyOf(substitutions);
        }

        /** The ASL with every {@code ${Key}} of the substitutions replaced. */
        public String definitionText() {
            String text = definition.read();
            for (Map.Entry<String, String> s : substitutions.entrySet()) {
                text = text.replace("${" + s.getKey() + "}", s.getValue());
            }
            return text;
        }
    }

    /**
     * The expanded template for the local stack and the parameter values it was expanded with.
     */
    public record LocalTemplate(CfnTemplate template, Map<String, String> parameters) {
        public LocalTemplate {
            parameters = Map.copyOf(parameters);
        }

        /**
         * A deployment of it before the first release: every SSM-typed parameter reads {@code none}
         * (as the README's first step leaves them), ids AWS would assign are placeholders.
         */
        public PipelineTemplate beforeFirstRelease() {
            return deploy(name -> Optional.of("none"), localNames().withPlaceholders());
        }

        /**
         * A deployment of it: SSM-typed parameters (its own and its nested stacks') read through {@code ssm},
         * resources named by {@code ids}.
         */
        public PipelineTemplate deploy(Function<String, Optional<String>> ssm, PhysicalIds ids) {
            return new PipelineTemplate(new Deployment(template, template.parameterValues(parameters, ssm), STACK_NAME, REGION,
                    ACCOUNT, ids, ssm));
        }
    }
}
