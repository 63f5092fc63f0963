package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.model.Outcome;
import dev.pushdeploy.ops.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The workflow ends as Finalize's record says, whatever outcome the record holds: the Outcome choice names each one
 * (the reconciler's ABORTED and TIMED_OUT too, which Finalize answers when a stopped run is redriven), and each leads to
 * a Succeed state or to a Fail state whose error is the outcome. REJECTED is the choice's default.
 */
class OutcomeChoiceTest {
    @ParameterizedTest
    @EnumSource(Outcome.class)
    void everyOutcomeEndsTheExecutionUnderItsOwnName(Outcome outcome) throws IOException {
        JsonNode states = Json.tree(Files.readString(Repo.ASL_FILE)).get("States");
        JsonNode choice = states.get("Outcome");
        Map<String, String> next = new TreeMap<>();
        choice.get("Choices").forEach(c -> next.put(c.get("StringEquals").asText(), c.get("Next").asText()));

        String end = next.getOrDefault(outcome.name(), choice.get("Default").asText());
        JsonNode state = states.get(end);

        if (outcome.executionSucceeds()) {
            assertEquals("Succeed", state.get("Type").asText(), outcome + " -> " + end);
        } else {
            assertEquals("Fail", state.get("Type").asText(), outcome + " -> " + end);
            assertEquals(outcome.name(), state.get("Error").asText(), outcome + " ends in " + end);
            assertEquals("$.final.reason", state.get("CausePath").asText(), end);
        }
    }
}
