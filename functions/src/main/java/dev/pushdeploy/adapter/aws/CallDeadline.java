package dev.pushdeploy.adapter.aws;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * The time the current thread's work has for its AWS calls (a Lambda invocation's, less a margin to answer in):
 * each call of a client {@link Aws#build} built gets at most the time left as its API call timeout, and a call made
 * with none left fails before it is sent. Both end as an {@link SdkClientException}, which {@link AwsCall} reports as
 * a transient error, so a call cannot run into the function's timeout.
 */
public final class CallDeadline implements ExecutionInterceptor {
    /** The deadline on this thread, in {@link System#nanoTime()}; none outside {@link #within}. */
    private static final ThreadLocal<Long> DEADLINE = new ThreadLocal<>();

    CallDeadline() {
    }

    /** Runs {@code body} with its calls bounded to end within {@code time} from now. */
    public static <T> T within(Duration time, Supplier<T> body) {
        Long outer = DEADLINE.get();
        long deadline = System.nanoTime() + time.toNanos();
        DEADLINE.set(outer == null ? deadline : Math.min(outer, deadline));
        try {
            return body.get();
        } finally {
            if (outer == null) {
                DEADLINE.remove();
            } else {
                DEADLINE.set(outer);
            }
        }
    }

    /** The time this thread's calls have left; empty when they are bounded by the clients' own timeout alone. */
    public static Optional<Duration> left() {
        Long deadline = DEADLINE.get();
        return deadline == null ? Optional.empty() : Optional.of(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        Optional<Duration> left = left();
        if (left.isEmpty() || !(context.request() instanceof AwsRequest request)) {
            return context.request();
        }
        if (left.get().toMillis() < 1) {
            throw SdkClientException.create("no time left for the call before the function's timeout");
        }
        AwsRequestOverrideConfiguration.Builder config = request.overrideConfiguration()
                .map(AwsRequestOverrideConfiguration::toBuilder).orElseGet(AwsRequestOverrideConfiguration::builder);
        Duration bound = config.apiCallTimeout() == null ? Aws.CALL_TIMEOUT : config.apiCallTimeout();
        if (bound.compareTo(left.get()) <= 0) {
            return request;
        }
        return request.toBuilder().overrideConfiguration(config.apiCallTimeout(left.get()).build()).build();
    }
}
