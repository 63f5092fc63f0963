package dev.pushdeploy.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PollIntervalTest {
    @ParameterizedTest(name = "age {0} s, {1} s left, settling {2} → {3} s")
    @CsvSource({
            "0,    600, false, 3",
            "20,   580, false, 3",
            "36,   564, false, 3",
            "60,   540, false, 5",
            "120,  480, false, 10",
            "240,  360, false, 20",
            "360,  240, false, 30",
            "3000, 600, false, 30",
            "-5,   600, false, 3",
            "240,  360, true,  5",
            "20,   580, true,  3",
            "360,  7,   false, 8",
            "590,  0,   false, 1",
            "30,   1,   true,  2",
    })
    void table(long ageSeconds, long remainingSeconds, boolean settling, int expected) {
        assertEquals(expected, PollInterval.nextPollSeconds(Duration.ofSeconds(ageSeconds),
                Duration.ofSeconds(remainingSeconds), settling));
    }

    @Test
    void fastInTheFirstMinuteThenNeverFasterAndCapped() {
        int previous = 0;
        for (int age = 0; age <= 3600; age++) {
            int wait = PollInterval.nextPollSeconds(Duration.ofSeconds(age), Duration.ofHours(2), false);
            assertTrue(wait >= previous, "non-decreasing at " + age);
            assertTrue(wait >= PollInterval.MIN_SECONDS && wait <= PollInterval.MAX_SECONDS, "bounded at " + age);
            if (age <= 60) {
                assertTrue(wait >= 2 && wait <= 5, "first minute: " + wait + " s at " + age);
            }
            previous = wait;
        }
    }

    @Test
    void detectionLatencyIsSmallForAboutTheChecksOfAFixedWaiter() {
        List<Long> checks = new ArrayList<>();
        long age = 0;
        while (age < 900) {
            age += PollInterval.nextPollSeconds(Duration.ofSeconds(age), Duration.ofSeconds(900 - age), false);
            checks.add(age);
        }
        for (long event = 0; event < 900; event++) {
            long seen = event;
            long latency = checks.stream().filter(c -> c >= seen).findFirst().orElseThrow() - event;
            if (event < 60) {
                assertTrue(latency <= 5, "final state at " + event + " s seen " + latency + " s later");
            }
            assertTrue(latency <= Math.max(PollInterval.MIN_SECONDS, event / 12.0 + 2), event + " s: latency " + latency);
        }
        // a fixed 15 s waiter: 60 checks in 15 minutes, up to 15 s latency from the start
        assertTrue(checks.size() <= 64, "checks in 15 minutes: " + checks.size());
    }

    @Test
    void neverOvershootsTheDeadlineByMoreThanASecond() {
        for (int remaining = 0; remaining < 40; remaining++) {
            int wait = PollInterval.nextPollSeconds(Duration.ofMinutes(20), Duration.ofSeconds(remaining), false);
            assertTrue(wait <= remaining + 1 && wait >= 1, remaining + " s left → " + wait);
        }
    }
}
