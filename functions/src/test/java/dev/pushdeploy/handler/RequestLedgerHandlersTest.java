package dev.pushdeploy.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pushdeploy.error.ConfigurationException;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The no-arg constructors read their environment first and name what is missing, before building any
 * client, as a configuration error (which the state machine does not retry).
 */
class RequestLedgerHandlersTest {
    static Stream<Arguments> handlers() {
        return Stream.of(
                Arguments.of("Prepare", (Supplier<?>) PrepareHandler::new, "CONFIG_PARAMETER"),
                Arguments.of("ScanGate", (Supplier<?>) ScanGateHandler::new, "CONFIG_PARAMETER"),
                Arguments.of("Lock", (Supplier<?>) LockHandler::new, "TABLE_NAME"),
                Arguments.of("Finalize", (Supplier<?>) FinalizeHandler::new, "CONFIG_PARAMETER"));
    }

    @ParameterizedTest(name = "{0} needs {2}")
    @MethodSource("handlers")
    void namesTheMissingVariable(String step, Supplier<?> constructor, String variable) {
        ConfigurationException e = assertThrows(ConfigurationException.class, constructor::get);
        assertEquals("environment variable " + variable + " is not set or empty", e.getMessage());
    }
}
