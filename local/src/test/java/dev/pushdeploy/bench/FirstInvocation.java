package dev.pushdeploy.bench;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.crac.Resource;

/**
 * Runs in a fresh JVM: loads one handler, invokes it once with an event file, and prints
 * {@code RESULT <first ms> <second ms> <cpu ms> <SDK calls of the first>}. {@code cold}: the first is
 * from JVM start to the first answer, what a Lambda cold start pays on top of the runtime's own start
 * without SnapStart.
 * {@code primed}: the handler is built and its SnapStart priming ({@code beforeCheckpoint}) run
 * first, as before a snapshot; the first is then the first invocation alone, what an invocation
 * right after a restore pays. {@code prime}: the priming alone, nothing invoked. With a fourth argument,
 * {@code restage}, it prints {@value #FIRST_DONE} after the first invocation and waits for a line on its input
 * before the second, reading the event file again: meanwhile the caller sets the emulator up as it was before the
 * first, so the second takes the first's path (a step's retry would take a shorter one).
 */
public final class FirstInvocation {
    static final String FIRST_DONE = "FIRST DONE";

    private FirstInvocation() {
    }

    public static void main(String[] args) throws Exception {
        byte[] event = Files.readAllBytes(Path.of(args[1]));
        boolean primed = !args[2].equals("cold");
        RequestStreamHandler handler = (RequestStreamHandler) Class.forName(args[0]).getDeclaredConstructor().newInstance();
        if (primed && handler instanceof Resource resource) {
            resource.beforeCheckpoint(null);
        }
        if (args[2].equals("prime")) {
            return;
        }
        int callsBefore = SdkCalls.made();
        long start = System.nanoTime();
        load(FirstRequestBegins.class);
        handler.handleRequest(new ByteArrayInputStream(event), new ByteArrayOutputStream(), null);
        load(FirstRequestEnded.class);
        long first = primed ? (System.nanoTime() - start) / 1_000_000
                : System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        long cpu = ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(-1L);
        int calls = SdkCalls.made() - callsBefore;
        if (args.length > 3 && args[3].equals("restage")) {
            System.out.println(FIRST_DONE);
            System.out.flush();
            new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8)).readLine();
            event = Files.readAllBytes(Path.of(args[1]));
        }
        start = System.nanoTime();
        handler.handleRequest(new ByteArrayInputStream(event), new ByteArrayOutputStream(), null);
        long second = (System.nanoTime() - start) / 1_000_000;
        System.out.println("RESULT " + first + " " + second + " " + cpu + " " + calls);
    }

    /** Loading these marks the first invocation in the class-load log: the classes it loaded lie between them. */
    static final class FirstRequestBegins {
    }

    static final class FirstRequestEnded {
    }

    /** Naming the class loads it (its class constant is resolved); nothing more is needed. */
    private static void load(Class<?> marker) {
        Objects.requireNonNull(marker);
    }
}
