package dev.pushdeploy.local.endpoint;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * Global SDK interceptor (registered in {@code software/amazon/awssdk/global/handlers/execution.interceptors}
 * of the local runtime's jar, so production code knows nothing of it): tags each request made on
 * behalf of an execution with {@link ExecutionScope#HEADER}.
 */
public final class ExecutionHeaderInterceptor implements ExecutionInterceptor {
    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        String execution = ExecutionScope.current();
        if (execution == null) {
            return context.httpRequest();
        }
        return context.httpRequest().toBuilder().putHeader(ExecutionScope.HEADER, execution).build();
    }
}
