package dev.pushdeploy.local.stack;

import com.fasterxml.jackson.databind.JsonNode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.local.lambda.FunctionSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        assertEquals(java.util.stream.Stream.concat(STEPS.stream(), java.util.stream.Stream.of("Reconcile", "RolloutEvents", "LifecycleHook", "ReleaseParameters"))
                .map(s -> s + "Function").collect(Collectors.toSet()), functions.keySet(),
                "the steps, the functions of the rules outside the state machine, ECS's lifecycle hook and the stack's custom resource");
        for (String step : STEPS) {
            FunctionSpec spec = functions.get(step + "Function");
            assertEquals("dev.pushdeploy.handler." + step + "Handler::handleRequest", spec.handler());
            assertTrue(RequestStreamHandler.class.isAssignableFrom(Class.forName(spec.handlerClass())), spec.handler());
            assertTrue(spec.environment().containsKey("CONFIG_PARAMETER"), spec.name());
        }
        assertTrue(functions.get("LockFunction").environment().containsKey("TABLE_NAME"));
        assertTrue(functions.get("FinalizeFunction").environment().keySet()
                .containsAll(Set.of("TABLE_NAME", "TOPIC_ARN", "EVENT_BUS_NAME")));
    }

    /** Only the scan gate waits for scan events: the function answering them, its role and its rule come with it. */
    @Test
    void theScanEventsFunctionComesWithTheScanGate() {
        PipelineTemplate gated = PipelineTemplate.expand(ROOT.resolve("template.yaml"), Map.of("EnableScanGate", "true"))
                .deploy(name -> Optional.of("none"), PipelineTemplate.localNames()
                        .bind(Map.of("Database.Endpoint.Address", "localhost", "Database.Endpoint.Port", "5432")).withPlaceholders());
        Set<String> with = gated.functions().stream().map(FunctionSpec::name).collect(Collectors.toSet());
        Set<String> without = template.functions().stream().map(FunctionSpec::name).collect(Collectors.toSet());
        assertEquals(Set.of("ScanEventsFunction"), difference(with, without));
        assertEquals("dev.pushdeploy.handler.ScanEventHandler::handleRequest", gated.functions().stream()
                .filter(f -> f.name().equals("ScanEventsFunction")).findFirst().orElseThrow().handler());
        for (String resource : List.of("ScanEventsFunctionRole", "ScanEventsRule", "ScanEventsRulePermission")) {
            assertTrue(gated.deployment().exists(resource), resource + " with the gate");
            assertFalse(template.deployment().exists(resource), resource + " without it");
        }
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> rest = new TreeSet<>(a);
        rest.removeAll(b);
        return rest;
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

    @Test
    void manyServicesRepeatTheSecondServicesBlockAndTheSharedPartsNameEach() {
        int services = 4;
        PipelineTemplate.LocalTemplate local = PipelineTemplate.expand(ROOT.resolve("template.yaml"), Map.of(), services);
        PipelineTemplate many = local.deploy(name -> Optional.of("none"), PipelineTemplate.localNames()
                .bind(Map.of("Database.Endpoint.Address", "localhost", "Database.Endpoint.Port", "5432")).withPlaceholders());
        PipelineConfig config = ConfigParser.parse(many.configDocument().orElseThrow());
        assertEquals(java.util.List.of("web", "web2", "web3", "web4"), config.targets().stream().map(t -> t.service()).toList());
        assertEquals(java.util.List.of("web", "web2", "web3", "web4"), config.targets().stream().map(t -> t.repository()).toList());
        assertEquals("/pushdeploy/web3/app-signing-key", config.targets().get(2).secrets().get(0).parameter());
        var stack = many.deployment();
        for (int k = 2; k <= services; k++) {
            String name = "web" + k;
            assertTrue(many.ecsService("pushdeploy", name).isPresent(), name);
            String prefix = k == 2 ? "Second" : "Service" + k;
            JsonNode release = stack.properties(prefix + "Release").path("Parameters");
            assertEquals("/pushdeploy/release/pushdeploy/" + name + "/image", release.path("Image").asText());
            assertEquals("/pushdeploy/release/pushdeploy/" + name + "/secret/APP_SIGNING_KEY", release.path("SigningKeySlot").asText());
            assertEquals("/" + name + "/*", local.parameters().get(prefix + "PathPattern"));
        }
        assertEquals(Set.of(10, 11, 12), stack.template().resources("AWS::ElasticLoadBalancingV2::ListenerRule").keySet().stream()
                .filter(id -> id.endsWith("ListenerRule") && (id.startsWith("Second") || id.startsWith("Service")))
                .map(id -> stack.properties(id).path("Priority").asInt()).collect(Collectors.toSet()));
        for (String id : stack.template().resources().keySet()) {
            if (id.startsWith("Second") || id.startsWith("Service") || !stack.exists(id)) {
                continue;
            }
            String shared = stack.properties(id).toString();
            int second = count(shared, "web2");
            for (int k = 3; k <= services; k++) {
                assertEquals(second, count(shared, "web" + k), id + " names service web" + k + " as often as web2: " + shared);
            }
        }
    }

    @Test
    void twoServicesAsAnOptionAreTheTemplatesSecondService() {
        PipelineTemplate.LocalTemplate two = PipelineTemplate.expand(ROOT.resolve("template.yaml"), Map.of(), 2);
        PipelineTemplate.LocalTemplate declared = PipelineTemplate.expand(ROOT.resolve("template.yaml"),
                Map.of("SecondServiceName", "web2", "SecondPathPattern", "/web2/*"));
        assertEquals(declared.parameters(), two.parameters());
        assertEquals(declared.template().root(), two.template().root());
    }

    private static int count(String text, String token) {
        return text.split(Pattern.quote(token), -1).length - 1;
    }
}
