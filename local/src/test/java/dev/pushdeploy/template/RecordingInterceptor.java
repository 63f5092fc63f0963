package dev.pushdeploy.template;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Registered for every SDK client of the test JVM (classpath resource
 * software/amazon/awssdk/global/handlers/execution.interceptors): while {@link #record} runs on a
 * thread, every request that thread sends is kept (service, operation and the request itself).
 */
public final class RecordingInterceptor implements ExecutionInterceptor {
    /** One SDK call. */
    public record Call(String service, String operation, SdkRequest request) {
    }

    private static final ThreadLocal<List<Call>> RECORDING = new ThreadLocal<>();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        List<Call> calls = RECORDING.get();
        if (calls != null) {
            calls.add(new Call(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME),
                    attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), context.request()));
        }
    }

    /** Runs {@code action} and returns the SDK calls it made on this thread. */
    public static List<Call> record(ThrowingRunnable action) throws Exception {
        List<Call> calls = new ArrayList<>();
        RECORDING.set(calls);
        try {
            action.run();
        } finally {
            RECORDING.remove();
        }
        return calls;
    }

    /** A runnable that may throw. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }
}
