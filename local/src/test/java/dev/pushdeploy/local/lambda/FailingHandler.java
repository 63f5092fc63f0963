package dev.pushdeploy.local.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.pushdeploy.error.TransientException;
import java.io.InputStream;
import java.io.OutputStream;

/** A handler for the runtime's tests that always fails transiently. */
public final class FailingHandler implements RequestStreamHandler {
    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) {
        throw new TransientException("ecs:DescribeServices failed transiently: Rate exceeded", null);
    }
}
