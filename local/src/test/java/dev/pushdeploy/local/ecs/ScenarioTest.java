package dev.pushdeploy.local.ecs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ScenarioTest {
    @ParameterizedTest
    @EnumSource(Scenario.class)
    void everyScenarioHasAKebabCaseNameOnTheCommandLine(Scenario scenario) {
        assertEquals(scenario, Scenario.fromCliName(scenario.cliName()));
        assertEquals(scenario.cliName().toLowerCase(), scenario.cliName());
    }

    @Test
    void anUnknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scenario.fromCliName("flaky"));
        assertTrue(e.getMessage().contains("crash-loop"));
        assertTrue(e.getMessage().contains("rollback-fails"));
    }
}
