package dev.pushdeploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.pushdeploy.ops.Reports;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A record's reason is text from outside the pipeline when the run was stopped: the reconciler writes "the execution was
 * stopped (&lt;StopExecution's cause&gt;)" (Reconciler, at most 300 characters, nothing escaped), and anyone with
 * states:StopExecution chooses that cause ({@code aws stepfunctions stop-execution --cause "$(cat incident.txt)"},
 * {@code pushdeploy cancel --reason ...}). {@code pushdeploy history} prints it as it is.
 */
class HistoryRenderTest {
    @Test
    void historyPrintsAStopCauseOnOneLineWithoutItsControlCharacters() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Output output = new Output(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()),
                false, false);
        Reports.Entry stopped = new Reports.Entry("2026-05-01T12:00:00.000Z", "ABORTED", "deploy", "manual", "web@sha256:1", "v1.2.0",
                "sha256:1", "web:7", "web:6", 42.0,
                "the execution was stopped (cancelled with pushdeploy cancel: hotfix\n\u001b[2J\u001b[1;1HSUCCEEDED  all good)",
                "deploy-web-v1-2-0-20260501-120000-abcd", null, null, null);

        Render.history(output, List.of(stopped));

        String printed = out.toString(StandardCharsets.UTF_8);
        assertFalse(printed.contains("\u001b"), "history wrote the record's escape sequences to the terminal (clear screen, cursor"
                + " home, then a forged 'SUCCEEDED' line): " + printed.replace("\u001b", "<ESC>"));
        assertEquals(3, printed.lines().count(), "a heading, the record, its reason: one line each; the reason's newline"
                + " made another:\n" + printed.replace("\u001b", "<ESC>"));
    }
}
