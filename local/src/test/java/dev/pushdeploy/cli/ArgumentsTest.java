package dev.pushdeploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

class ArgumentsTest {
    private final CommandSpec spec = new CommandLine(new Main(System.out, System.err, null)).getCommandSpec();

    @ParameterizedTest
    @CsvSource({"v1.2.0, web:v1.2.0", "web:v1.2.0, web:v1.2.0", "'" + "sha256:" + "abababababababababababababababababababababababababababababababab" + "', "
            + "web@sha256:abababababababababababababababababababababababababababababababab",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1, 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1"})
    void aBareTagOrDigestIsOfTheServicesRepository(String argument, String image) {
        assertEquals(image, Arguments.image(spec, argument, "web"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"web:", "web@sha256:abc", "v1 2", "web:tag@" + "sha256:00"})
    void anythingElseIsRefusedNamingTheArgument(String argument) {
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class, () -> Arguments.image(spec, argument, "web"));
        assertTrue(e.getMessage().startsWith("IMAGE '" + argument + "'"), e.getMessage());
    }

    @Test
    void generatedExecutionNamesAreValidExecutionNames() {
        Instant now = Instant.parse("2026-11-30T12:01:02Z");
        String name = Arguments.executionName("deploy", "web:v1.2.0", now);
        assertTrue(name.matches("deploy-web-v1-2-0-20261130-120102-[0-9a-f]{4}"), name);
        String longest = Arguments.executionName("deploy", "x".repeat(200), now);
        assertEquals(80, longest.length());
        Arguments.executionName(spec, "--name", longest);
    }
}
