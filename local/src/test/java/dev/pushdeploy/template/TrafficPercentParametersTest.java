package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The traffic shares take what ECS takes, so that a value ECS refuses fails at the stack's parameters, before anything
 * changes, not at the service's update: CanaryConfiguration's canaryPercent "Valid values are multiples of 0.1 from 0.1 to
 * 100.0" and LinearConfiguration's stepPercent "multiples of 0.1 from 3.0 to 100.0" (ECS API reference). As Number
 * parameters with MinValue and MaxValue they let 5.55 through.
 */
class TrafficPercentParametersTest {
    @ParameterizedTest(name = "{0}={1}: {2}")
    @CsvSource({
            "CanaryPercent, 5, true", "CanaryPercent, 0.1, true", "CanaryPercent, 12.5, true", "CanaryPercent, 100, true",
            "CanaryPercent, 100.0, true", "CanaryPercent, 5.55, false", "CanaryPercent, 0, false", "CanaryPercent, 0.05, false",
            "CanaryPercent, 100.1, false", "CanaryPercent, 05, false", "CanaryPercent, -1, false",
            "LinearStepPercent, 3, true", "LinearStepPercent, 3.0, true", "LinearStepPercent, 33.3, true", "LinearStepPercent, 100, true",
            "LinearStepPercent, 2.9, false", "LinearStepPercent, 12.34, false", "LinearStepPercent, 101, false",
    })
    void aShareIsAMultipleOfATenthInECSsRange(String parameter, String value, boolean valid) {
        if (valid) {
            assertDoesNotThrow(() -> Deployments.TEMPLATE.parameterValues(Map.of(parameter, value), name -> Optional.of("none")));
        } else {
            assertThrows(IllegalArgumentException.class,
                    () -> Deployments.TEMPLATE.parameterValues(Map.of(parameter, value), name -> Optional.of("none")),
                    parameter + "=" + value + " is not a multiple of 0.1 in ECS's range");
        }
    }
}
