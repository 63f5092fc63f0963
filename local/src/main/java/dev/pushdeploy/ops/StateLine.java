package dev.pushdeploy.ops;

import java.util.Locale;

/**
 * One state of a running execution, as the CLI prints it live.
 *
 * @param seconds time since the execution started
 * @param kind    the state type (Task, Wait, Choice, Pass, Succeed, Fail)
 * @param detail  what the state found or decided, identifiers only; may be empty
 */
public record StateLine(double seconds, String state, String kind, String detail) {
    public String format() {
        String text = String.format(Locale.ROOT, "%7.1fs  %-24s %s", seconds, state, detail).stripTrailing();
        return Text.shorten(text, 220);
    }
}
