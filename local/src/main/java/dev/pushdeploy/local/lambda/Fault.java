package dev.pushdeploy.local.lambda;

/**
 * An injected failure of one invocation of one function, reported in Lambda's wire format.
 *
 * @param function   the function's logical id
 * @param invocation which invocation fails (1 = the first)
 * @param errorType  the error name the state machine sees (e.g. {@code java.lang.RuntimeException})
 * @param afterWork  true: the handler runs (its side effects happen) and its answer is lost;
 *                   false: the invocation fails before the handler starts
 */
public record Fault(String function, int invocation, String errorType, boolean afterWork) {
    public Fault {
        if (invocation < 1) {
            throw new IllegalArgumentException("invocation counts from 1");
        }
    }

    public static Fault crashBefore(String function, int invocation) {
        return new Fault(function, invocation, RuntimeException.class.getName(), false);
    }

    public static Fault crashAfter(String function, int invocation) {
        return new Fault(function, invocation, RuntimeException.class.getName(), true);
    }

    public String message() {
        return "injected fault: invocation " + invocation + " of " + function + (afterWork ? " lost its answer" : " crashed");
    }
}
