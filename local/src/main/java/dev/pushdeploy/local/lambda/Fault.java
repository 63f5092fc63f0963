package dev.pushdeploy.local.lambda;

/**
 * An injected failure of one invocation of one function, reported in Lambda's wire format.
 *
 * @param function     the function's logical id
 * @param invocation   which invocation fails (1 = the first)
 * @param errorType    the error name the state machine sees (e.g. {@code java.lang.RuntimeException}); null for an
 *                     answer that is not an error
 * @param afterWork    true: the handler runs (its side effects happen) and its answer is lost (or padded);
 *                     false: the invocation fails before the handler starts
 * @param paddedAnswer bytes of padding added to the handler's answer (a "padding" member), 0 for none: an
 *                     answer over Step Functions' 256 KiB payload quota fails the execution with
 *                     States.DataLimitExceeded, which no Catch can handle
 */
public record Fault(String function, int invocation, String errorType, boolean afterWork, int paddedAnswer) {
    public Fault {
        if (invocation < 1) {
            throw new IllegalArgumentException("invocation counts from 1");
        }
        if ((errorType == null) == (paddedAnswer == 0)) {
            throw new IllegalArgumentException("a fault is either an error or a padded answer");
        }
    }

    public Fault(String function, int invocation, String errorType, boolean afterWork) {
        this(function, invocation, errorType, afterWork, 0);
    }

    public static Fault crashBefore(String function, int invocation) {
        return new Fault(function, invocation, RuntimeException.class.getName(), false);
    }

    public static Fault crashAfter(String function, int invocation) {
        return new Fault(function, invocation, RuntimeException.class.getName(), true);
    }

    /** The handler runs; its answer comes back {@code bytes} larger (a service limit, not an error of ours). */
    public static Fault paddedAnswer(String function, int invocation, int bytes) {
        return new Fault(function, invocation, null, true, bytes);
    }

    public String message() {
        return "injected fault: invocation " + invocation + " of " + function + (afterWork ? " lost its answer" : " crashed");
    }
}
