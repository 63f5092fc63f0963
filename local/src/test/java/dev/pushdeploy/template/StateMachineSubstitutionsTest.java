package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.local.template.CfnTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The state machine definition and the template agree: every {@code ${...}} in
 * statemachine/deploy.asl.json has a DefinitionSubstitution and every substitution is used; each
 * function is invoked through its published alias (SnapStart), which the state machine's role
 * may invoke; the definition is the file the template packages.
 */
class StateMachineSubstitutionsTest {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]+)}");
    private static final CfnTemplate TEMPLATE = Repo.template();

    private static JsonNode stateMachine() {
        return TEMPLATE.properties("StateMachine");
    }

    @Test
    void everyPlaceholderHasASubstitutionAndEverySubstitutionIsUsed() throws IOException {
        String asl = Files.readString(Repo.ASL_FILE);
        assertTrue(Json.tree(asl).path("States").isObject(), "the definition is ASL JSON");
        Set<String> placeholders = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(asl);
        while (m.find()) {
            placeholders.add(m.group(1));
        }
        Set<String> substitutions = new TreeSet<>();
        stateMachine().path("DefinitionSubstitutions").fieldNames().forEachRemaining(substitutions::add);
        assertEquals(substitutions, placeholders);
    }

    @Test
    void theDefinitionIsTheRepositoryFile() {
        assertEquals("AWS::StepFunctions::StateMachine", TEMPLATE.type("StateMachine"));
        assertEquals("statemachine/deploy.asl.json", stateMachine().path("DefinitionS3Location").asText());
        assertEquals("STANDARD", stateMachine().path("StateMachineType").asText());
    }

    @Test
    void everyFunctionIsInvokedThroughItsAliasWhichTheRoleMayInvoke() {
        JsonNode substitutions = stateMachine().path("DefinitionSubstitutions");
        Set<String> invokable = new HashSet<>();
        for (JsonNode statement : TEMPLATE.properties("StateMachineRole").path("Policies").get(0).path("PolicyDocument").path("Statement")) {
            if (statement.path("Action").asText().equals("lambda:InvokeFunction")) {
                statement.path("Resource").forEach(r -> invokable.add(r.path("Ref").asText()));
            }
        }
        for (String function : Repo.STEPS) {
            String alias = substitutions.path(function + "Arn").path("Ref").asText();
            assertEquals("AWS::Lambda::Alias", TEMPLATE.type(alias), function + "Arn substitution");
            assertEquals(function, TEMPLATE.properties(alias).path("FunctionName").path("Ref").asText(), alias);
            assertTrue(invokable.contains(alias), "the state machine role may invoke " + alias);
        }
        assertEquals(Repo.STEPS.size(), invokable.size(), "the role invokes nothing else (the reconciler is EventBridge's)");
    }
}
