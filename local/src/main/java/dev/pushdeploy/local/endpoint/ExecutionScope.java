package dev.pushdeploy.local.endpoint;

import java.util.function.Supplier;

/**
 * Which execution the current thread works for. The Lambda runtime sets it around each
 * in-process invocation; {@link ExecutionHeaderInterceptor} copies it onto every AWS request the
 * handler makes, so the endpoint can attribute the calls it sees to executions.
 */
public final class ExecutionScope {
    /** The request header that carries the execution name from the handler's SDK call to the endpoint. */
    public static final String HEADER = "X-Pushdeploy-Execution";
    /** The request header that marks the runtime's own requests: never throttled, never counted. */
    public static final String INTERNAL_HEADER = "X-Pushdeploy-Internal";
    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    private ExecutionScope() {
    }

    public static String current() {
        return CURRENT.get();
    }

    public static <T> T run(String execution, Supplier<T> body) {
        String outer = CURRENT.get();
        CURRENT.set(execution);
        try {
            return body.get();
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }
}
