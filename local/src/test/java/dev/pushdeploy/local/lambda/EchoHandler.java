package dev.pushdeploy.local.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.handler.Env;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.endpoint.ExecutionScope;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A handler for the runtime's tests: reads GREETING eagerly, answers what it saw (and the time of
 * the clock it was built with), counts its runs.
 */
public final class EchoHandler implements RequestStreamHandler {
    static final AtomicInteger RUNS = new AtomicInteger();
    private final String greeting = Env.require("GREETING");
    private final Clock clock;

    public EchoHandler() {
        this(Clock.systemUTC());
    }

    public EchoHandler(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) {
        RUNS.incrementAndGet();
        context.getLogger().log("echo " + context.getFunctionName());
        ObjectNode answer = Json.object();
        answer.put("greeting", greeting);
        answer.put("requestId", context.getAwsRequestId());
        answer.put("execution", ExecutionScope.current());
        answer.put("now", clock.instant().toString());
        answer.put("memoryMb", context.getMemoryLimitInMB());
        answer.put("remainingMillis", context.getRemainingTimeInMillis());
        answer.set("input", Json.tree(in));
        Json.write(out, answer);
    }
}
