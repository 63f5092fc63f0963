package dev.pushdeploy.local.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.pushdeploy.ops.Json;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicInteger;

/** A handler for the runtime's tests: sleeps for its input's {@code sleepMillis} (uninterruptibly), answers which instance ran. */
public final class SlowHandler implements RequestStreamHandler {
    static final AtomicInteger INSTANCES = new AtomicInteger();
    private final int instance = INSTANCES.incrementAndGet();

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) {
        long until = System.nanoTime() + Json.tree(in).path("sleepMillis").asLong() * 1_000_000;
        while (System.nanoTime() < until) {
            try {
                Thread.sleep(Math.max(1, (until - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                // as a read blocked on a socket: an interrupt does not end it
            }
        }
        Json.write(out, Json.object().put("instance", instance));
    }
}
