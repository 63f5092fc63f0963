package dev.pushdeploy.adapter.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.config.Strategy;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.error.ConfigurationException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The strategy and the alarms of a target: what the template writes, defaults, and what is refused. */
class StrategyConfigTest {
    private static final String TEST = "\"testUrl\": \"http://alb.example/health\", \"testHeader\": \"X-Pushdeploy-Test\", "
            + "\"testHeaderValue\": \"f00d\"";

    private static Target target(String extra) {
        return ConfigParser.parse("{\"targets\":[{\"repository\":\"web\",\"cluster\":\"pushdeploy\",\"service\":\"web\","
                + "\"container\":\"app\"" + extra + "}]}").targets().get(0);
    }

    @Test
    void withoutAStrategyTheServiceRollsAndNothingIsPlanned() {
        Target target = target("");
        assertEquals(Strategy.ROLLING, target.strategy());
        assertEquals(0, target.strategy().plannedSeconds());
        assertEquals(List.of(), target.health().alarms());
    }

    @Test
    void readsTheTrafficSettingsAndPlansTheBakes() {
        Target canary = target(", \"strategy\": {\"type\": \"CANARY\", " + TEST + ", \"canaryPercent\": 12.5, \"canaryBakeMinutes\": 3, "
                + "\"bakeMinutes\": 2}, \"health\": {\"alarms\": [\"web-5xx\", \"web-5xx\", \"web-latency\"]}");
        assertEquals(Strategy.Type.CANARY, canary.strategy().type());
        assertEquals("http://alb.example/health", canary.strategy().testUrl());
        assertEquals("f00d", canary.strategy().testHeaderValue());
        assertEquals(12.5, canary.strategy().shift().canaryPercent());
        assertEquals(5 * 60, canary.strategy().plannedSeconds());
        assertEquals(List.of("web-5xx", "web-latency"), canary.health().alarms());

        Target linear = target(", \"strategy\": {\"type\": \"linear\", " + TEST + ", \"stepPercent\": 30, \"stepBakeMinutes\": 4, "
                + "\"bakeMinutes\": 1}");
        assertEquals(Strategy.Type.LINEAR, linear.strategy().type());
        assertEquals((3 * 4 + 1) * 60, linear.strategy().plannedSeconds(), "30 % steps: 4 shifts, 3 bakes between them, then the bake");

        Target blueGreen = target(", \"strategy\": {\"type\": \"BLUE_GREEN\", " + TEST + "}");
        assertEquals(Strategy.Shift.DEFAULT, blueGreen.strategy().shift());
        assertEquals(5 * 60, blueGreen.strategy().plannedSeconds());
        assertTrue(blueGreen.strategy().shiftsTraffic());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown type       | {\"type\": \"RAINBOW\"}                                   | strategy.type: must be one of ROLLING",
            "no test URL        | {\"type\": \"CANARY\"}                                    | strategy.testUrl: is required",
            "test URL not http  | {\"type\": \"CANARY\", \"testUrl\": \"ftp://x\"}          | strategy.testUrl: must be an http(s) URL",
            "test URL, no host  | {\"type\": \"CANARY\", \"testUrl\": \"http:///health\"}     | strategy.testUrl: must be an http(s) URL naming a host",
            "test URL, bare     | {\"type\": \"CANARY\", \"testUrl\": \"https://\"}            | strategy.testUrl: must be an http(s) URL naming a host",
            "test URL password  | {\"type\": \"CANARY\", \"testUrl\": \"https://ops:s3cret@alb.example/h\"} | strategy.testUrl: must not carry credentials",
            "header with space  | {\"type\": \"CANARY\", \"testUrl\": \"http://a/h\", \"testHeader\": \"X Y\", \"testHeaderValue\": \"v\"} | strategy.testHeader",
            "header ALB refuses | {\"type\": \"CANARY\", \"testUrl\": \"http://a/h\", \"testHeader\": \"Host\", \"testHeaderValue\": \"v\"} | strategy.testHeader: 'Host' is a header the HTTP client sets itself",
            "hop-by-hop header  | {\"type\": \"BLUE_GREEN\", \"testUrl\": \"http://a/h\", \"testHeader\": \"connection\", \"testHeaderValue\": \"v\"} | strategy.testHeader: 'connection' is a header the HTTP client sets itself",
            "CORS header        | {\"type\": \"LINEAR\", \"testUrl\": \"http://a/h\", \"testHeader\": \"Origin\", \"testHeaderValue\": \"v\"} | strategy.testHeader: 'Origin'",
            "header of 41 chars | {\"type\": \"CANARY\", \"testUrl\": \"http://a/h\", \"testHeader\": \"X-123456789012345678901234567890123456789\", \"testHeaderValue\": \"v\"} | strategy.testHeader: 'X-123456789012345678901234567890123456789' must match",
            "canary share zero  | {\"type\": \"CANARY\", \"testUrl\": \"http://a/h\", \"testHeader\": \"X\", \"testHeaderValue\": \"v\", \"canaryPercent\": 0} | strategy.canaryPercent: must be a multiple of 0.1 from 0.1 to 100",
            "canary share 5.55  | {\"type\": \"CANARY\", \"testUrl\": \"http://a/h\", \"testHeader\": \"X\", \"testHeaderValue\": \"v\", \"canaryPercent\": 5.55} | strategy.canaryPercent: must be a multiple of 0.1 from 0.1 to 100",
            "linear step 2      | {\"type\": \"LINEAR\", \"testUrl\": \"http://a/h\", \"testHeader\": \"X\", \"testHeaderValue\": \"v\", \"stepPercent\": 2} | strategy.stepPercent: must be a multiple of 0.1 from 3.0 to 100",
            "linear step 12.34  | {\"type\": \"LINEAR\", \"testUrl\": \"http://a/h\", \"testHeader\": \"X\", \"testHeaderValue\": \"v\", \"stepPercent\": 12.34} | strategy.stepPercent: must be a multiple of 0.1 from 3.0 to 100",
            "misspelt member    | {\"type\": \"CANARY\", \"testUrl\": \"http://a/h\", \"testHeader\": \"X\", \"testHeaderValue\": \"v\", \"canaryBake\": 5} | strategy.canaryBake: is not a member of a strategy",
            "canary of an hour  | {\"type\": \"CANARY\", \"testUrl\": \"http://a/h\", \"testHeader\": \"X\", \"testHeaderValue\": \"v\", \"canaryBakeMinutes\": 60} | strategy: CANARY bakes 65 minutes by ECS's own schedule (canaryBakeMinutes + bakeMinutes); a run waits at most 60 minutes for a rollout, bakes included, and must leave the new tasks 300 s to start: shorten the bakes to at most 55 minutes in all",
            "linear of 3 %      | {\"type\": \"LINEAR\", \"testUrl\": \"http://a/h\", \"testHeader\": \"X\", \"testHeaderValue\": \"v\", \"stepPercent\": 3} | strategy: LINEAR bakes 203 minutes",
            "ECS's own linear   | {\"type\": \"LINEAR\", \"testUrl\": \"http://a/h\", \"testHeader\": \"X\", \"testHeaderValue\": \"v\", \"stepPercent\": 10} | strategy: LINEAR bakes 59 minutes",
            "blue/green 56 min  | {\"type\": \"BLUE_GREEN\", \"testUrl\": \"http://a/h\", \"testHeader\": \"X\", \"testHeaderValue\": \"v\", \"bakeMinutes\": 56} | strategy: BLUE_GREEN bakes 56 minutes",
    })
    void refusesWhatECSWouldNot(String name, String strategy, String expected) {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> target(", \"strategy\": " + strategy));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    /**
     * ECS's schedule may take the hour a run waits for a rollout but for the time the new tasks need to start: 5 minutes,
     * or the rollout's own deadline if that is shorter.
     */
    @Test
    void takesTheLongestScheduleThatLeavesTheTasksTimeToStart() {
        String strategy = ", \"strategy\": {\"type\": \"BLUE_GREEN\", \"testUrl\": \"http://a/h\", \"testHeader\": \"X\", \"testHeaderValue\": \"v\","
                + " \"bakeMinutes\": %d}";
        assertEquals(55 * 60, target(strategy.formatted(55)).strategy().plannedSeconds());
        assertEquals(59 * 60, target(", \"health\": {\"deadlineSeconds\": 60}" + strategy.formatted(59)).strategy().plannedSeconds());
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> target(", \"health\": {\"deadlineSeconds\": 120}" + strategy.formatted(59)));
        assertTrue(e.getMessage().contains("must leave the new tasks 120 s to start: shorten the bakes to at most 58 minutes in all"),
                e.getMessage());
    }

    @Test
    void takesAHeaderOfFortyCharactersOrOneTheClientLeavesAlone() {
        String forty = "X-" + "a".repeat(38);
        assertEquals(forty, target(", \"strategy\": {\"type\": \"CANARY\", \"testUrl\": \"http://a/h\", \"testHeader\": \"" + forty
                + "\", \"testHeaderValue\": \"v\"}").strategy().testHeader());
        assertEquals("User-Agent", target(", \"strategy\": {\"type\": \"CANARY\", \"testUrl\": \"http://a/h\", \"testHeader\": "
                + "\"User-Agent\", \"testHeaderValue\": \"v\"}").strategy().testHeader());
    }

    @Test
    void refusesTooManyOrBlankAlarms() {
        String eleven = String.join(", ", java.util.Collections.nCopies(11, "\"a\""));
        assertTrue(assertThrows(ConfigurationException.class, () -> target(", \"health\": {\"alarms\": [" + eleven + "]}"))
                .getMessage().contains("health.alarms: must be an array of at most 10"));
        assertTrue(assertThrows(ConfigurationException.class, () -> target(", \"health\": {\"alarms\": [\" \"]}"))
                .getMessage().contains("health.alarms[0]"));
    }
}
