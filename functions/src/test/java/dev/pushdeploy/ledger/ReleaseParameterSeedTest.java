package dev.pushdeploy.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.error.InvalidRequestException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ReleaseParameterSeedTest {
    static final String PREFIX = "/pushdeploy/release";
    static final String IMAGE = PREFIX + "/pushdeploy/web/image";
    static final String KEY = PREFIX + "/pushdeploy/web/secret/APP_SIGNING_KEY";

    private final InMemoryReleaseParameters parameters = new InMemoryReleaseParameters();
    private final ReleaseParameterSeed seed = new ReleaseParameterSeed(parameters);

    @Test
    void createsTheMissingOnesWithNoRelease() {
        assertEquals(List.of(IMAGE, KEY), seed.ensure(PREFIX, List.of(IMAGE, KEY)));
        assertEquals("none", parameters.values.get(IMAGE));
        assertEquals("none", parameters.values.get(KEY));
    }

    @Test
    void neverOverwritesARelease() {
        parameters.values.put(IMAGE, "123.dkr.ecr.us-east-1.amazonaws.com/web@sha256:ab");
        assertEquals(List.of(KEY), seed.ensure(PREFIX, List.of(IMAGE, KEY)));
        assertEquals("123.dkr.ecr.us-east-1.amazonaws.com/web@sha256:ab", parameters.values.get(IMAGE));
        assertEquals(List.of(), seed.ensure(PREFIX, List.of(IMAGE, KEY)), "a second run creates nothing");
    }

    static List<Arguments> badInput() {
        List<String> tooMany = IntStream.rangeClosed(0, ReleaseParameterSeed.MAX_NAMES).mapToObj(i -> PREFIX + "/c/s" + i).toList();
        return List.of(
                Arguments.of("relative prefix", "pushdeploy/release", List.of(IMAGE), "Prefix"),
                Arguments.of("no prefix", null, List.of(IMAGE), "Prefix"),
                Arguments.of("no names", PREFIX, List.of(), "Names"),
                Arguments.of("missing names", PREFIX, null, "Names"),
                Arguments.of("too many names", PREFIX, tooMany, "Names"),
                Arguments.of("outside the prefix", PREFIX, List.of(IMAGE, "/other/pushdeploy/web/image"), "Names"),
                Arguments.of("prefix is only a name's start", PREFIX, List.of(PREFIX + "x/c/s/image"), "Names"),
                Arguments.of("a space", PREFIX, List.of(IMAGE, PREFIX + "/c/my app/image"), "Names"),
                Arguments.of("a null name", PREFIX, new ArrayList<>(Collections.singletonList(null)), "Names"),
                Arguments.of("sixteen levels", PREFIX, List.of(PREFIX + "/a/b/c/d/e/f/g/h/i/j/k/l/m/n"), "Names"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInput")
    void badInputIsRefusedBeforeAnythingIsCreated(String why, String prefix, List<String> names, String field) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> seed.ensure(prefix, names));
        assertEquals(field, e.field());
        assertTrue(parameters.writes.isEmpty(), why + ": created " + parameters.writes);
    }
}
