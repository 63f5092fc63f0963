package dev.pushdeploy.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class VerifiedRevisionsTest {
    /** Records oldest first, written {@code from>verified} (SUCCEEDED deploys) or {@code verified} (rollbacks, ROLLED_BACK). */
    private static VerifiedRevisions history(String... records) {
        List<VerifiedRevisions.Entry> newestFirst = new ArrayList<>();
        for (String record : records) {
            String[] parts = record.split(">");
            newestFirst.addFirst(parts.length == 2 ? new VerifiedRevisions.Entry("web:" + parts[0], "web:" + parts[1])
                    : new VerifiedRevisions.Entry(null, "web:" + parts[0]));
        }
        return new VerifiedRevisions(newestFirst);
    }

    static Stream<Arguments> previous() {
        return Stream.of(
                Arguments.of("no history", history(), "web:2", null),
                Arguments.of("one deploy: back to where it started", history("1>2"), "web:2", "web:1"),
                Arguments.of("a rolled-back release never appears (issue 8, case 4)", history("1>2", "2"), "web:4", "web:2"),
                Arguments.of("back from the first revision: nothing", history("1>2"), "web:1", null),
                Arguments.of("a chain", history("1>2", "2>3", "3>4"), "web:4", "web:3"),
                Arguments.of("after going back to 3, previous walks on to 2", history("1>2", "2>3", "3>4", "3"), "web:3", "web:2"),
                Arguments.of("after going back to 2, on to 1", history("1>2", "2>3", "3>4", "3", "2"), "web:2", "web:1"),
                Arguments.of("an unknown live revision: the newest verified", history("1>2", "2>3"), "web:9", "web:3"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("previous")
    void previousIsTheRevisionLiveBeforeTheLiveOne(String what, VerifiedRevisions history, String live, String expected) {
        assertEquals(Optional.ofNullable(expected), history.previousOf(live));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("previous")
    void rollbackTargetsAreEveryStepBack(String what, VerifiedRevisions history, String live, String expected) {
        List<String> targets = history.rollbackTargets(live);
        assertEquals(expected, targets.isEmpty() ? null : targets.get(0));
        assertEquals(targets.size(), Set.copyOf(targets).size(), "each once: the walk ends");
    }

    @ParameterizedTest(name = "newest {1} of {0}")
    @MethodSource("newestCases")
    void newestVerifiedAreDistinctAndNewestFirst(String records, int n, List<String> expected) {
        assertEquals(expected, List.copyOf(history(records.split(",")).newest(n)));
    }

    static Stream<Arguments> newestCases() {
        return Stream.of(
                Arguments.of("1>2,2,2>3,3>4", 2, List.of("web:4", "web:3")),
                Arguments.of("1>2,2,2", 5, List.of("web:2")));
    }

    @ParameterizedTest(name = "{1} verified in {0}: {2}")
    @CsvSource({"1>2, web:2, true", "1>2, web:1, false", "'1>2,2', web:2, true", "'1>2,3', web:3, true", "'1>2', web:9, false",
            "'', web:1, false"})
    void verifiedIsWhatSomeRecordSawHealthyAndLive(String records, String revision, boolean expected) {
        VerifiedRevisions history = records.isEmpty() ? history() : history(records.split(","));
        assertEquals(expected, history.verified("arn:aws:ecs:us-east-1:123456789012:task-definition/" + revision));
    }
}
