package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's "Every loop has a deadline" bullet quotes what {@link HistoryBudgetTest} proves, the worst case's history
 * events and its longest run: the figures it computes, not older ones.
 */
class HistoryBudgetReadmeTest {
    @Test
    void theReadmeQuotesTheWorstCaseTheBudgetComputes() throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            HistoryBudgetTest budget = new HistoryBudgetTest();
            budget.theWorstCaseFitsTheHistoryLimit();
            budget.theStateMachinesTimeLimitNeverCutsALegitimateRunShort();
        } finally {
            System.setOut(out);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        Matcher events = Pattern.compile(": (\\d+) events \\(").matcher(text);
        Matcher longest = Pattern.compile("longest run: (\\d+) s").matcher(text);
        assertTrue(events.find() && longest.find(), text);

        String readme = Files.readString(Repo.ROOT.resolve("README.md")).replaceAll("\\s+", " ");
        Matcher quoted = Pattern.compile("execution \\(([\\d,]+) events\\) and the state machine's `TimeoutSeconds` \\(a run of at most ([\\d,]+) s\\)")
                .matcher(readme);
        assertTrue(quoted.find(), "the README's budget sentence");
        assertEquals(events.group(1) + " events, " + longest.group(1) + " s",
                quoted.group(1).replace(",", "") + " events, " + quoted.group(2).replace(",", "") + " s",
                "what HistoryBudgetTest computes vs what the README quotes");
    }
}
