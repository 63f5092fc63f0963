package dev.pushdeploy.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.pushdeploy.ops.Json;
import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;

/**
 * Where a command prints: a JSON document ({@code --json}) or lines for people, coloured only on
 * a terminal (and never with {@code NO_COLOR} or {@code TERM=dumb}). Notes go to stderr.
 */
final class Output {
    enum Colour {
        GREEN("32"), RED("31"), YELLOW("33"), BOLD("1"), DIM("2");

        final String code;

        Colour(String code) {
            this.code = code;
        }
    }

    final PrintStream out;
    final PrintStream err;
    final boolean json;
    private final boolean colour;

    Output(PrintStream out, PrintStream err, boolean json) {
        this(out, err, json, !json && terminal() && System.getenv("NO_COLOR") == null && !"dumb".equals(System.getenv("TERM")));
    }

    Output(PrintStream out, PrintStream err, boolean json, boolean colour) {
        this.out = out;
        this.err = err;
        this.json = json;
        this.colour = colour;
    }

    void json(Object value) {
        try {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    void line(String text) {
        out.println(text);
    }

    void note(String text) {
        err.println("pushdeploy: " + text);
    }

    String paint(String text, Colour c) {
        return colour && text != null && !text.isEmpty() ? "\u001b[" + c.code + "m" + text + "\u001b[0m" : text;
    }

    /** An outcome or verdict word in the colour it deserves. */
    String outcome(String word) {
        if (word == null) {
            return null;
        }
        return switch (word) {
            case "SUCCEEDED", "HEALTHY", "IGNORED", "COMPLETED", "ACQUIRED", "PROCEED", "PASSED" -> paint(word, Colour.GREEN);
            case "IN_PROGRESS", "WAITING", "RUNNING", "PENDING", "SUPERSEDED", "DUPLICATE" -> paint(word, Colour.YELLOW);
            case "REJECTED", "ROLLED_BACK", "ROLLBACK_FAILED", "FAILED", "TIMED_OUT", "ABORTED", "FINALIZE_FAILED" -> paint(word, Colour.RED);
            default -> word;
        };
    }

    /** Whether stdout is a terminal ({@code Console.isTerminal()} where the JDK has it, Java 22+). */
    private static boolean terminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException olderJdk) {
            return true;
        }
    }
}
