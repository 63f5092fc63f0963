package dev.pushdeploy.model;

/** Bounded text: what a record, a reason or an answer repeats of a longer one. */
public final class Text {
    private Text() {
    }

    /** {@code text} when it has at most {@code max} characters, else its first {@code max - 1} and "…". */
    public static String atMost(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
