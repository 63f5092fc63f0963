package dev.pushdeploy.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TextTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', emptyValue = "", value = {
            "abcdef | 6 | abcdef",
            "abcdef | 7 | abcdef",
            "abcdef | 5 | abcd…",
            "abcdef | 1 | …",
            "''     | 3 | ''"})
    void atMost(String text, int max, String expected) {
        assertEquals(expected, Text.atMost(text, max));
        assertEquals(Math.min(text.length(), max), Text.atMost(text, max).length());
    }
}
