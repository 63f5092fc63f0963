package dev.pushdeploy.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.adapter.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RolloutTest {
    @ParameterizedTest(name = "a window of {0} ms → recheck after {1} s")
    @CsvSource({
            "0,         300",
            "-5000,     300",
            "60000,     300",
            "900000,    300",
            "1200000,   300",
            "1200001,   301",
            "1201000,   301",
            "1800000,   450",
            "3599001,   900",
            "3600000,   900",
            "7200000,   900",
    })
    void aQuarterOfTheWindowWithinFiveAndFifteenMinutes(long windowMillis, int expected) {
        long startedAt = 1_700_000_000_000L;
        assertEquals(expected, Rollout.recheckSeconds(startedAt, startedAt + windowMillis));
        assertEquals(expected, new Rollout("d", "web:2", startedAt, startedAt + windowMillis, true, null).recheckSeconds());
    }

    @Test
    void theDeadlineIsFoundByTheFourthRecheckOrSoonerForEveryDeadlineTheTemplateTakes() {
        for (int deadline = 60; deadline <= 3600; deadline++) {
            int recheck = Rollout.recheckSeconds(0, deadline * 1000L);
            int rechecks = (deadline + recheck - 1) / recheck;
            assertTrue(rechecks <= Rollout.RECHECKS, deadline + " s: " + rechecks + " rechecks of " + recheck + " s");
            assertTrue(recheck >= Rollout.MIN_RECHECK_SECONDS, deadline + " s: " + recheck);
            assertTrue(rechecks * recheck < Math.max(deadline, Rollout.RECHECKS * Rollout.MIN_RECHECK_SECONDS) + Rollout.RECHECKS,
                    deadline + " s: the recheck that finds the deadline passed comes " + (rechecks * recheck - deadline) + " s late");
        }
    }

    @Test
    void aRolloutWithoutRecheckSecondsTakesItsWindowsAndOneWithItKeepsItWithinTheBounds() {
        String json = "{\"deploymentId\":\"ecs-svc/1\",\"taskDefinition\":\"web:2\",\"startedAt\":1000,\"deadlineAt\":3601000,"
                + "\"started\":true}";
        assertEquals(900, Json.read(json, Rollout.class).recheckSeconds());
        Rollout kept = Json.read(json.replace("}", ",\"recheckSeconds\":400}"), Rollout.class);
        assertEquals(400, kept.recheckSeconds());
        assertTrue(Json.write(kept).contains("\"recheckSeconds\":400"), Json.write(kept));
        assertEquals(Rollout.MAX_RECHECK_SECONDS, Json.read(json.replace("}", ",\"recheckSeconds\":99999999}"), Rollout.class)
                .recheckSeconds(), "bounded");
        assertEquals(Rollout.MIN_RECHECK_SECONDS, Json.read(json.replace("}", ",\"recheckSeconds\":5}"), Rollout.class)
                .recheckSeconds(), "bounded");
    }

    /** A move back to a copy of a deregistered revision stands in for that revision, and says so in the state document. */
    @Test
    void aMoveToACopyMovesToTheRevisionItCopiesAndKeepsItThroughJson() {
        String original = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:4";
        String copy = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7";
        Rollout back = new Rollout("ecs-svc/7", copy, 1000, 901000, true, null, null, 0, original);
        assertTrue(back.movesTo(original) && back.movesTo(copy) && back.movesTo("web:4"));
        assertFalse(back.movesTo("web:5"));
        Rollout plain = new Rollout("ecs-svc/4", original, 1000, 901000, true, null);
        assertTrue(plain.movesTo(original));
        assertFalse(plain.movesTo(copy));
        assertEquals(back, Json.read(Json.write(back), Rollout.class));
        assertEquals(null, Json.read(Json.write(plain), Rollout.class).copyOf());
    }
}
