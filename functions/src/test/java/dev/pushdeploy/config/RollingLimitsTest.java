package dev.pushdeploy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ECS rounds maximumPercent's task count down and minimumHealthyPercent's up; a rollout needs room on one side. */
class RollingLimitsTest {
    @ParameterizedTest(name = "desired {0}, min {1} %, max {2} %: replaces tasks {3}")
    @CsvSource({
            "1, 100, 200, true",
            "2, 100, 200, true",
            "1, 100, 150, false",
            "1, 50, 199, false",
            "1, 0, 100, true",
            "2, 75, 100, false",
            "2, 50, 100, true",
            "3, 100, 100, false",
            "4, 100, 120, false",
            "4, 100, 125, true",
            "4, 76, 100, false",
            "4, 75, 100, true",
            "100, 100, 101, true",
            "100, 99, 100, true",
    })
    void aRolloutReplacesTasksOnlyWithRoomToStartOrStopOne(int desired, int min, int max, boolean replaces) {
        String stall = RollingLimits.stall(desired, min, max);
        assertEquals(replaces, stall == null, String.valueOf(stall));
    }

    @org.junit.jupiter.api.Test
    void theReasonSaysWhatECSMayDo() {
        assertEquals("with 3 desired task(s) ECS may run at most 3 (maximumPercent 100, rounded down) and must keep 3 running"
                + " (minimumHealthyPercent 100, rounded up): a rolling deployment can neither start a new task nor stop an old"
                + " one, so it replaces none", RollingLimits.stall(3, 100, 100));
    }
}
