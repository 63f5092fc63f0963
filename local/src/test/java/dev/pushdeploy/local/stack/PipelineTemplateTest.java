package dev.pushdeploy.local.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.local.lambda.FunctionSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The repository's template.yaml, read the way the local runtime reads it. */
class PipelineTemplateTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Set<String> STEPS = Set.of("Prepare", "ScanGate", "Lock", "RotateSecrets", "RegisterTaskDefinition",
            "StartDeployment", "CheckDeployment", "Rollback", "Finalize");

    final PipelineTemplate template = PipelineTemplate.expand(ROOT.resolve("template.yaml"), Map.of())
            .deploy(name -> Optional.of("none"), PipelineTemplate.localNames()
                    .bind(Map.of("Database.Endpoint.Address", "localhost", "Database.Endpoint.Port", "5432")).withPlaceholders());

    @Test
    void everyStepIsAFunctionWhoseHandlerClassExists() throws ReflectiveOperationException {
        Map<String, FunctionSpec> functions = template.functions().stream()
                .collect(Collectors.toMap(FunctionSpec::name, Function.identity()));
        assertEquals(java.util.stream.Stream.concat(STEPS.stream(), java.util.stream.Stream.of("Reconcile", "RolloutEvents", "LifecycleHook"))
                .map(s -> s + "Function").collect(Collectors.toSet()), functions.keySet(),
                "the steps, the functions of the rules outside the state machine, and ECS's lifecycle hook");
        for (String step : STEPS) {
            FunctionSpec spec = functions.get(step + "Function");
            assertEquals("dev.pushdeploy.handler." + step + "Handler::handleRequest", spec.handler());
            assertTrue(RequestStreamHandler.class.isAssignableFrom(Class.forName(spec.handlerClass())), spec.handler());
            assertTrue(spec.environment().containsKey("CONFIG_PARAMETER"), spec.name());
        }
        assertTrue(functions.get("LockFunction").environment().containsKey("TABLE_NAME"));
        assertTrue(functions.get("FinalizeFunction").environment().keySet()
                .containsAll(Set.of("TABLE_NAME", "TOPIC_ARN", "EVENT_BUS_NAME", "RELEASE_PARAMETER_PREFIX")));
    }

    @Test
    void eachFunctionHasTheTimeoutAndMemoryTheExpandedTemplateGivesIt() {
        Map<String, FunctionSpec> functions = template.functions().stream()
                .collect(Collectors.toMap(FunctionSpec::name, Function.identity()));
        var expanded = template.deployment().template();
        for (FunctionSpec spec : functions.values()) {
            var properties = expanded.properties(spec.name());
            assertEquals(properties.path("Timeout").asInt(), spec.timeoutSeconds(), spec.name());
            assertEquals(properties.path("MemorySize").asInt(), spec.memoryMb(), spec.name());
        }
        assertEquals(120, functions.get("RotateSecretsFunction").timeoutSeconds(), "its own Timeout over the Globals'");
        assertEquals(60, functions.get("LockFunction").timeoutSeconds(), "the Globals' Timeout");
    }

    @Test
    void theSubstitutionsFillEveryPlaceholderOfTheAslWithTheFunctionsAliases() throws IOException {
        PipelineTemplate.StateMachineSpec machine = template.stateMachine();
        assertEquals(ROOT.resolve("statemachine/deploy.asl.json"), machine.definition().file());
        Set<String> placeholders = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{([A-Za-z0-9]+)}").matcher(Files.readString(machine.definition().file()));
        while (m.find()) {
            placeholders.add(m.group(1));
        }
        assertEquals(placeholders, new TreeSet<>(machine.substitutions().keySet()));
        for (String step : STEPS) {
            assertEquals(PipelineTemplate.functionArn(step + "Function") + ":live", machine.substitutions().get(step + "FunctionArn"));
        }
        assertTrue(!machine.definitionText().contains("${"), "unreplaced placeholder");
    }

    @Test
    void theConfigurationDocumentIsValidAndNamesTheService() {
        PipelineConfig config = ConfigParser.parse(template.configDocument().orElseThrow());
        assertEquals("web", config.targets().get(0).repository());
        assertEquals("pushdeploy/web", config.targets().get(0).serviceKey());
        assertEquals("/pushdeploy/config", template.configParameterName());
    }
}
