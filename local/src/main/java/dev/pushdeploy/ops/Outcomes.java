package dev.pushdeploy.ops;

/**
 * How a run ended, as an exit code: the same for {@code run}, {@code deploy}, {@code rollback},
 * {@code rotate}, {@code follow} and {@code local push}.
 */
public final class Outcomes {
    /** The event matched no rule that starts the state machine: nothing ran. */
    public static final String NOT_MATCHED = "NOT_MATCHED";

    private Outcomes() {
    }

    /** 0 SUCCEEDED, IGNORED, NOT_MATCHED; 2 REJECTED; 3 ROLLED_BACK; 4 ROLLBACK_FAILED; 5 SUPERSEDED; else 1. */
    public static int exitCode(String outcome) {
        return switch (outcome) {
            case "SUCCEEDED", "IGNORED", NOT_MATCHED -> 0;
            case "REJECTED" -> 2;
            case "ROLLED_BACK" -> 3;
            case "ROLLBACK_FAILED" -> 4;
            case "SUPERSEDED" -> 5;
            default -> 1;
        };
    }
}
