package dev.pushdeploy.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TextTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "short enough | 20 | short enough",
        "a reason that goes on and on | 10 | a reason …",
        "smoke GET http://host:80/pushdeploy/health failed | 20 | smoke GET http://host:80/pushdeploy/health…",
        "see https://example.com/x and more | 10 | see https://example.com/x…",
        "cut here: https://a.b/c | 10 | cut here:…",
        "two http://a/b and http://c/d end | 24 | two http://a/b and http://c/d…"})
    void aLineIsShortenedButNeverInsideAUrl(String text, int max, String shortened) {
        assertEquals(shortened, Text.shorten(text, max));
    }
}
