package dev.pushdeploy.bench;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs in a fresh JVM: loads one handler, invokes it once with an event file, and prints
 * {@code millis-from-JVM-start-to-first-response millis-of-second-invocation}. This is what a Lambda
 * cold start pays on top of the runtime's own start (without SnapStart).
 */
public final class FirstInvocation {
    private FirstInvocation() {
    }

    public static void main(String[] args) throws Exception {
        byte[] event = Files.readAllBytes(Path.of(args[1]));
        RequestStreamHandler handler = (RequestStreamHandler) Class.forName(args[0]).getDeclaredConstructor().newInstance();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, null);
        long first = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        long start = System.nanoTime();
        handler.handleRequest(new ByteArrayInputStream(event), new ByteArrayOutputStream(), null);
        long second = (System.nanoTime() - start) / 1_000_000;
        System.out.println("RESULT " + first + " " + second);
    }
}
