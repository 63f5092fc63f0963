package dev.pushdeploy.local.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.run.RunResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterHistory;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * Secret values (both secrets' slots, the database master's password) stay in SSM: never in the
 * execution history, the CLI's lines and summaries, notifications or logs.
 */
class NoSecretLeakIT {
    @Test
    void noSecretValueAppearsAnywhereOutsideSsm() throws IOException {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        RunResult good = workflow.push("v1.1.0", Scenario.HEALTHY);
        RunResult bad = workflow.push("v1.2.0", Scenario.CRASH_LOOP);
        RunResult rotate = workflow.run(Files.readString(Path.of("..", "events", "manual-rotate.json")), Scenario.HEALTHY);
        assertEquals("SUCCEEDED", good.outcome(), good.reason());
        assertEquals("ROLLED_BACK", bad.outcome(), bad.reason());
        assertEquals("SUCCEEDED", rotate.outcome(), rotate.reason());
        for (RunResult result : List.of(good, bad, rotate)) {
            workflow.output.add(result.secretsLine());
            workflow.output.add(result.summary().toString());
        }

        Map<String, String> places = new LinkedHashMap<>();
        places.put("history of the good push", good.history().toString());
        places.put("history of the bad push", bad.history().toString());
        places.put("history of the rotation", rotate.history().toString());
        places.put("CLI lines and summaries", String.join("\n", workflow.output));
        places.put("notifications", String.join("\n", workflow.runtime.notifications()));
        places.put("function logs", String.join("\n", TestRuntime.FUNCTION_LOG));
        assertTrue(places.get("history of the good push").contains("/pushdeploy/web/app-signing-key/b"),
                "the history names the slot");

        assertTrue(places.get("history of the rotation").contains("app_a"), "the history names the database role");
        List<String> secrets = secretValues(workflow);
        assertEquals(8, secrets.size(), "per secret: slot a v1, b v1 (good push), a v2 (bad push), a v3 (rotation)");
        secrets.add(masterPassword(workflow));
        for (String secret : secrets) {
            places.forEach((place, text) -> assertFalse(text.contains(secret), "a secret value is in the " + place));
        }
    }

    /** The database master's password, as the runtime stored it for the rotation (the template's master secret). */
    private static String masterPassword(Workflow workflow) {
        String parameter = workflow.web.target().secrets().stream().filter(s -> s.postgres() != null).findFirst()
                .orElseThrow().postgres().masterParameter();
        SsmClient ssm = workflow.runtime.clients().build(SsmClient.builder());
        String document = ssm.getParameter(r -> r.name(parameter).withDecryption(true)).parameter().value();
        String password = Json.tree(document).path("password").asText();
        assertFalse(password.isEmpty(), "the master secret holds a password");
        return password;
    }

    /** Every value every SecureString parameter ever had. */
    private static List<String> secretValues(Workflow workflow) {
        SsmClient ssm = workflow.runtime.clients().build(SsmClient.builder());
        List<String> values = new ArrayList<>();
        workflow.runtime.parameters().forEach(p -> {
            if (p.path("type").asText().equals(ParameterType.SECURE_STRING.toString())) {
                for (ParameterHistory version : ssm.getParameterHistory(r -> r.name(p.path("name").asText()).withDecryption(true))
                        .parameters()) {
                    values.add(version.value());
                }
            }
        });
        return values;
    }
}
