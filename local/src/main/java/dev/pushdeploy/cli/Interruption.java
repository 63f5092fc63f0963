package dev.pushdeploy.cli;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * What Ctrl-C (SIGINT, SIGTERM) interrupts: the command in progress says what it stops and
 * cleans up (the local stack it started, the run it follows), once, from the JVM's shutdown hook.
 * Errors the interrupted command runs into afterwards are not reported.
 */
final class Interruption {
    private static final AtomicReference<Guard> CURRENT = new AtomicReference<>();
    private static volatile boolean finished;
    private static volatile boolean interrupted;

    private Interruption() {
    }

    /** Installs the hook (once per JVM, from {@code main}). */
    static void install(PrintStream err) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (finished) {
                return;
            }
            interrupted = true;
            Guard guard = CURRENT.getAndSet(null);
            if (guard == null) {
                err.println(System.lineSeparator() + "pushdeploy: interrupted");
                return;
            }
            err.println(System.lineSeparator() + "pushdeploy: interrupted: " + guard.stopping().get());
            try {
                guard.cleanup().run();
                if (guard.after() != null) {
                    err.println("pushdeploy: " + guard.after().get());
                }
            } catch (RuntimeException e) {
                err.println("pushdeploy: cleaning up failed: " + e.getMessage());
            }
            err.flush();
        }, "pushdeploy-interrupt"));
    }

    /**
     * Until the returned guard is closed, an interruption prints {@code stopping}, runs
     * {@code cleanup}, then prints {@code after} (may be null).
     */
    static Guard guard(Supplier<String> stopping, Runnable cleanup, Supplier<String> after) {
        Guard guard = new Guard(stopping, cleanup, after);
        CURRENT.set(guard);
        return guard;
    }

    /** The command ended on its own: the hook stays quiet. */
    static void finished() {
        finished = true;
    }

    static boolean interrupted() {
        return interrupted;
    }

    /** One command's interruption handling. */
    record Guard(Supplier<String> stopping, Runnable cleanup, Supplier<String> after) implements AutoCloseable {
        @Override
        public void close() {
            CURRENT.compareAndSet(this, null);
        }
    }
}
