package dev.pushdeploy.local.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.run.RunResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterHistory;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** Secret values stay in SSM: never in the execution history, the CLI's lines and summaries, notifications or logs. */
class NoSecretLeakIT {
    @Test
    void noSecretValueAppearsAnywhereOutsideSsm() {
        Workflow workflow = new Workflow(TestRuntime.fresh());
        RunResult good = workflow.push("v1.1.0", Scenario.HEALTHY);
        RunResult bad = workflow.push("v1.2.0", Scenario.CRASH_LOOP);
        assertEquals("SUCCEEDED", good.outcome(), good.reason());
        assertEquals("ROLLED_BACK", bad.outcome(), bad.reason());
        workflow.output.add(good.summary().toString());
        workflow.output.add(bad.summary().toString());

        Map<String, String> places = new LinkedHashMap<>();
        places.put("history of the good push", good.history().toString());
        places.put("history of the bad push", bad.history().toString());
        places.put("CLI lines and summaries", String.join("\n", workflow.output));
        places.put("notifications", String.join("\n", workflow.runtime.notifications()));
        places.put("function logs", String.join("\n", TestRuntime.FUNCTION_LOG));
        assertTrue(places.get("history of the good push").contains("/pushdeploy/web/app-signing-key/b"),
                "the history names the slot");

        List<String> secrets = secretValues(workflow);
        assertEquals(3, secrets.size(), "slot a v1, slot b v1 and slot a v2");
        for (String secret : secrets) {
            places.forEach((place, text) -> assertFalse(text.contains(secret), "a secret value is in the " + place));
        }
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
