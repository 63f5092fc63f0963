package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.template.CfnTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each state machine definition and the template agree: every {@code ${...}} in its file under
 * statemachine/ has a DefinitionSubstitution and every substitution is used; each function is
 * invoked through its published alias (SnapStart), which that state machine's role may invoke, and
 * the role invokes nothing else; the definition is the file the template packages.
 */
class StateMachineSubstitutionsTest {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]+)}");
    private static final CfnTemplate TEMPLATE = Repo.template();
    /** State machine → its definition file. */
    private static final Map<String, String> DEFINITIONS = Map.of(
            "StateMachine", "statemachine/deploy.asl.json",
            "ReleaseStateMachine", "statemachine/release.asl.json");

    static Set<String> stateMachines() {
        assertEquals(DEFINITIONS.keySet(), TEMPLATE.resources("AWS::StepFunctions::StateMachine").keySet(), "the template's state machines");
        return new TreeSet<>(DEFINITIONS.keySet());
    }

    @ParameterizedTest
    @MethodSource("stateMachines")
    void everyPlaceholderHasASubstitutionAndEverySubstitutionIsUsed(String stateMachine) throws IOException {
        JsonNode properties = TEMPLATE.properties(stateMachine);
        assertEquals(DEFINITIONS.get(stateMachine), properties.path("DefinitionS3Location").asText());
        assertEquals("STANDARD", properties.path("StateMachineType").asText());
        String asl = Files.readString(Repo.ROOT.resolve(DEFINITIONS.get(stateMachine)));
        Set<String> placeholders = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(asl);
        while (m.find()) {
            placeholders.add(m.group(1));
        }
        Set<String> substitutions = new TreeSet<>();
        properties.path("DefinitionSubstitutions").fieldNames().forEachRemaining(substitutions::add);
        assertEquals(substitutions, placeholders);
        String resolved = asl;
        for (String placeholder : placeholders) {
            resolved = resolved.replace("${" + placeholder + "}", placeholder.endsWith("Seconds") ? "60" : placeholder);
        }
        assertTrue(Json.tree(resolved).path("States").isObject(), "the definition is ASL JSON");
    }

    @ParameterizedTest
    @MethodSource("stateMachines")
    void everyFunctionIsInvokedThroughItsAliasWhichTheRoleMayInvoke(String stateMachine) {
        JsonNode properties = TEMPLATE.properties(stateMachine);
        String role = properties.path("RoleArn").path("Fn::GetAtt").get(0).asText();
        Set<String> invokable = new TreeSet<>();
        for (JsonNode statement : TEMPLATE.properties(role).path("Policies").get(0).path("PolicyDocument").path("Statement")) {
            if (statement.path("Action").asText().equals("lambda:InvokeFunction")) {
                JsonNode resource = statement.path("Resource");
                (resource.isArray() ? resource : Json.tree("[" + resource + "]")).forEach(r -> invokable.add(r.path("Ref").asText()));
            }
        }
        Set<String> invoked = new TreeSet<>();
        properties.path("DefinitionSubstitutions").properties().forEach(e -> {
            String function = e.getKey().substring(0, e.getKey().length() - "Arn".length());
            if (e.getKey().endsWith("FunctionArn")) {
                assertTrue(Repo.FUNCTIONS.containsKey(function), function + " is one of the pipeline's functions");
                String alias = e.getValue().path("Ref").asText();
                assertEquals("AWS::Lambda::Alias", TEMPLATE.type(alias), e.getKey() + " substitution");
                assertEquals(function, TEMPLATE.properties(alias).path("FunctionName").path("Ref").asText(), alias);
                invoked.add(alias);
            }
        });
        assertTrue(!invoked.isEmpty(), stateMachine + " invokes functions");
        assertEquals(invoked, invokable, role + " may invoke exactly the functions " + stateMachine + " invokes");
    }
}
