package dev.pushdeploy.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.TestRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The steps {@code invoke} runs first to fit a sample event to the stack write the fields the state machine says they write. */
class InvokeStepsTest {
    @Test
    void eachFieldComesFromTheFunctionWhoseTaskStateWritesIt() throws IOException {
        JsonNode states = Json.tree(Files.readString(TestRuntime.root().resolve("statemachine/deploy.asl.json"))).path("States");
        for (Map.Entry<String, String> step : InvokeCommand.STEPS.entrySet()) {
            boolean found = false;
            for (JsonNode state : states) {
                found |= state.path("Type").asText().equals("Task")
                        && state.path("Resource").asText().equals("${" + step.getValue() + "Arn}")
                        && state.path("ResultPath").asText().equals("$." + step.getKey());
            }
            assertTrue(found, "no Task state of " + step.getValue() + " writes $." + step.getKey());
        }
    }
}
