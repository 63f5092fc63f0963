package dev.pushdeploy.bench;

import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Counts the SDK calls of a measured JVM (each call once, whatever its retries). The benchmark registers it as a
 * global interceptor in the harness's own directory, the only thing on a measured JVM's classpath besides the
 * deployment package.
 */
public final class SdkCalls implements ExecutionInterceptor {
    private static final AtomicInteger CALLS = new AtomicInteger();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        CALLS.incrementAndGet();
    }

    static int made() {
        return CALLS.get();
    }
}
