package dev.pushdeploy.local.ecs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The production shares and bakes the simulator steps through, per strategy. */
class TrafficShiftTest {
    static TrafficShift shift(String strategy, double canary, double step) {
        return new TrafficShift(strategy, canary, 10, step, 6, 5, "tg-alt", "LifecycleHookFunction",
                List.of("POST_TEST_TRAFFIC_SHIFT"), List.of("web-5xx"), "X-Pushdeploy-Test", "f00d");
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', value = {
            "BLUE_GREEN | 5  | 10 | 100.0                                   | 0",
            "CANARY     | 5  | 10 | 5.0 100.0                               | 600",
            "CANARY     | 12.5 | 10 | 12.5 100.0                            | 600",
            "LINEAR     | 5  | 10 | 10.0 20.0 30.0 40.0 50.0 60.0 70.0 80.0 90.0 100.0 | 360",
            "LINEAR     | 5  | 34 | 34.0 68.0 100.0                         | 360",
            "LINEAR     | 5  | 33.3 | 33.3 66.6 99.9 100.0                  | 360"})
    void sharesEndAtAllTrafficAndEachIsWatchedForItsBake(String strategy, double canary, double step, String shares, double bake) {
        TrafficShift shift = shift(strategy, canary, step);
        assertEquals(List.of(shares.split(" ")).stream().map(Double::valueOf).toList(), shift.shares());
        assertEquals(bake, shift.shareBakeSeconds());
    }
}
