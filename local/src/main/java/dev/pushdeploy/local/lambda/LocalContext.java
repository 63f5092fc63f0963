package dev.pushdeploy.local.lambda;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** The Lambda context of one in-process invocation: a request id, the function as the template declares it, a logger. */
final class LocalContext implements Context {
    private final String requestId;
    private final String functionName;
    private final int timeoutMillis;
    private final int memoryMb;
    private final long startedAt = System.currentTimeMillis();
    private final LambdaLogger logger;

    LocalContext(String requestId, FunctionSpec function, Consumer<String> sink) {
        this.requestId = requestId;
        this.functionName = function.name();
        this.timeoutMillis = function.timeoutSeconds() * 1000;
        this.memoryMb = function.memoryMb();
        this.logger = new LambdaLogger() {
            @Override
            public void log(String message) {
                sink.accept(message.endsWith("\n") ? message.substring(0, message.length() - 1) : message);
            }

            @Override
            public void log(byte[] message) {
                log(new String(message, StandardCharsets.UTF_8));
            }
        };
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + functionName;
    }

    @Override
    public String getLogStreamName() {
        return "local";
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return LambdaRuntime.arn(functionName);
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return (int) Math.max(0, timeoutMillis - (System.currentTimeMillis() - startedAt));
    }

    @Override
    public int getMemoryLimitInMB() {
        return memoryMb;
    }

    @Override
    public LambdaLogger getLogger() {
        return logger;
    }
}
