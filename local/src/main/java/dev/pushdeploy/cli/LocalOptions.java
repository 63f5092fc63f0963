package dev.pushdeploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.stack.PipelineTemplate;
import dev.pushdeploy.local.template.CfnTemplate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Checks of the local commands' options against the template and the simulator, made before anything starts. */
final class LocalOptions {
    /** The template parameters that name the services. */
    private static final String FIRST_SERVICE = "AppName";
    private static final String SECOND_SERVICE = "SecondServiceName";

    private LocalOptions() {
    }

    /** {@code --scan-gate}: one of the template's ScanGateSeverity values (any case); null stays null. */
    static String scanGate(CommandSpec spec, Path root, String severity) {
        if (severity == null) {
            return null;
        }
        List<String> allowed = new ArrayList<>();
        PipelineTemplate.expand(root.resolve("template.yaml"), Map.of()).template().parameters().path("ScanGateSeverity").path("AllowedValues")
                .forEach(v -> allowed.add(v.asText()));
        String upper = severity.toUpperCase(Locale.ROOT);
        if (!allowed.contains(upper)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--scan-gate " + severity + " is not a severity; one of "
                    + String.join(", ", allowed));
        }
        return upper;
    }

    /**
     * {@code --second-service NAME}: the template's SecondServiceName as the template constrains it (its pattern and
     * length), and not the first service's name (the template's rule: each service has its own repository and task
     * family); answers the template parameters it sets, none without it.
     */
    static Map<String, String> secondService(CommandSpec spec, Path root, String name) {
        if (name == null) {
            return Map.of();
        }
        CfnTemplate template = PipelineTemplate.expand(root.resolve("template.yaml"), Map.of()).template();
        JsonNode definition = template.parameters().path(SECOND_SERVICE);
        int max = definition.path("MaxLength").asInt();
        if (name.isEmpty() || name.length() > max || !name.matches(definition.path("AllowedPattern").asText())) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--second-service '" + name + "' is not a service name: "
                    + "lower-case letters and digits, words joined by '.', '_' or '-', at most " + max + " characters");
        }
        String first = template.parameterDefault(FIRST_SERVICE).orElse("");
        if (name.equals(first)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--second-service " + name + " is the first service's name ("
                    + FIRST_SERVICE + "); each service has its own repository and task family");
        }
        return Map.of(SECOND_SERVICE, name);
    }

    /** {@code --rollout-seconds}: a positive number of simulated seconds; null stays null. */
    static void checkRolloutSeconds(CommandSpec spec, Double seconds) {
        if (seconds != null && !(seconds > 0 && seconds <= 86_400)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rollout-seconds " + seconds
                    + " must be more than 0 and at most 86400 simulated seconds");
        }
    }

    /** Applies {@code --rollout-seconds} to the simulator, when given. */
    static void rolloutSeconds(LocalRuntime runtime, Double seconds) {
        if (seconds != null) {
            runtime.simulator().rolloutSeconds(seconds);
        }
    }

    /** {@code --scan-seconds}: 0 (at once) or a positive number of simulated seconds, at most a day; null stays null. */
    static void checkScanSeconds(CommandSpec spec, Double seconds) {
        if (seconds != null && !(seconds >= 0 && seconds <= 86_400)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--scan-seconds " + seconds
                    + " must be 0 to 86400 simulated seconds");
        }
    }

    /** Applies {@code --scan-seconds} to ECR's scans, when given. */
    static void scanSeconds(LocalRuntime runtime, Double seconds) {
        if (seconds != null) {
            runtime.scans().scanSeconds(seconds);
        }
    }

    /** Converts {@code --strategy} names ({@code blue-green}) to the template's DeploymentStrategy ({@code BLUE_GREEN}). */
    static final class StrategyConverter implements CommandLine.ITypeConverter<String> {
        static final java.util.Map<String, String> STRATEGIES = java.util.Map.of("rolling", "ROLLING", "blue-green", "BLUE_GREEN",
                "canary", "CANARY", "linear", "LINEAR");

        @Override
        public String convert(String value) {
            String strategy = STRATEGIES.get(value);
            if (strategy == null) {
                throw new CommandLine.TypeConversionException("unknown strategy '" + value + "'; one of: rolling, blue-green, canary, linear");
            }
            return strategy;
        }
    }

    /** Converts scenario names ({@code crash-loop}) for picocli, naming the choices on error. */
    static final class ScenarioConverter implements CommandLine.ITypeConverter<Scenario> {
        @Override
        public Scenario convert(String value) {
            try {
                return Scenario.fromCliName(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
