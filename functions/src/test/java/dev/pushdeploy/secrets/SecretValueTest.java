package dev.pushdeploy.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.adapter.json.JsonLogLines;
import dev.pushdeploy.log.StepLog;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretValueTest {
    @Test
    void neverPrints() {
        SecretValue value = SecretValue.of("hunter2-hunter2");

        assertEquals("SecretValue[redacted]", value.toString());
        assertFalse(String.valueOf(List.of(value)).contains("hunter2"));
        assertFalse(String.format("%s", value).contains("hunter2"));
        assertEquals("hunter2-hunter2", value.reveal());
    }

    @Test
    void refusesToBecomeJsonOrALogField() {
        SecretValue value = SecretValue.of("hunter2-hunter2");
        List<String> lines = new ArrayList<>();

        assertThrows(IllegalStateException.class, () -> Json.write(value));
        assertThrows(IllegalArgumentException.class, () -> StepLog.to(JsonLogLines.to(lines::add), "t").info("x", "secret", value));
        assertTrue(lines.isEmpty());
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 48, 1024})
    void randomValuesHaveTheConfiguredLengthInTheUrlSafeAlphabet(int length) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            String value = RandomValues.next(length).reveal();
            assertEquals(length, value.length());
            assertTrue(value.matches("[A-Za-z0-9_-]+"), value);
            seen.add(value);
        }
        assertEquals(20, seen.size());
    }

    @Test
    void randomValuesUseTheWholeAlphabet() {
        String many = RandomValues.next(4096).reveal();
        assertEquals(64, many.chars().distinct().count());
    }
}
