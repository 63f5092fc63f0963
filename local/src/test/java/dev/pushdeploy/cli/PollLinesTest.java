package dev.pushdeploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pushdeploy.ops.StateLine;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PollLinesTest {
    @Test
    void aPollThatKeepsGettingTheSameAnswerIsPrintedOnceWithACount() {
        List<String> printed = new ArrayList<>();
        PollLines lines = new PollLines(printed::add);
        lines.accept(new StateLine(1, "StartDeployment", "Task", "deployment d1 → web:2"));
        for (int i = 0; i < 4; i++) {
            lines.accept(new StateLine(2 + i * 5, "CheckDeployment", "Task", "IN_PROGRESS — 0/2 tasks running"));
            lines.accept(new StateLine(2.1 + i * 5, "Verdict", "Choice", "→ WaitForRollout"));
            lines.accept(new StateLine(7 + i * 5, "WaitForRollout", "Wait", "waited " + (4.9 + i / 10.0) + " s"));
        }
        lines.accept(new StateLine(23, "CheckDeployment", "Task", "HEALTHY — 2/2 tasks running"));
        lines.accept(new StateLine(23.1, "Verdict", "Choice", "→ Succeeded"));
        lines.flush();

        assertEquals(List.of(
                "    1.0s  StartDeployment          deployment d1 → web:2",
                "    2.0s  CheckDeployment          IN_PROGRESS — 0/2 tasks running",
                "    2.1s  Verdict                  → WaitForRollout",
                "    7.0s  WaitForRollout           waited 4.9 s",
                "   17.0s  CheckDeployment          (the same 3 more times)",
                "   23.0s  CheckDeployment          HEALTHY — 2/2 tasks running",
                "   23.1s  Verdict                  → Succeeded"), printed);
    }

    @Test
    void differentAnswersAreAllPrinted() {
        List<String> printed = new ArrayList<>();
        PollLines lines = new PollLines(printed::add);
        lines.accept(new StateLine(2, "CheckDeployment", "Task", "IN_PROGRESS — 0/2 tasks running"));
        lines.accept(new StateLine(7, "CheckDeployment", "Task", "IN_PROGRESS — 1/2 tasks running"));
        lines.accept(new StateLine(12, "CheckDeployment", "Task", "IN_PROGRESS — 1/2 tasks running"));
        lines.accept(new StateLine(17, "CheckDeployment", "Task", "HEALTHY — 2/2 tasks running"));
        lines.flush();
        assertEquals(4, printed.size(), printed.toString());
        assertEquals("   12.0s  CheckDeployment          (the same 1 more time)", printed.get(2));
    }
}
