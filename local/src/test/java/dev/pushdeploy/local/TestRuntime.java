package dev.pushdeploy.local;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The one local runtime of the test JVM (the handlers' SDK clients are built once per JVM, aimed
 * at its endpoint), on simulated time: a healthy rollout takes a few seconds. The failsafe execution
 * {@code runtime} runs class after class in a JVM, so every class but the first starts on a reset of it.
 */
public final class TestRuntime {
    /** Every line the functions logged. */
    public static final List<String> FUNCTION_LOG = new CopyOnWriteArrayList<>();
    private static final java.time.Duration HOLD_GRACE = java.time.Duration.ofSeconds(20);
    private static LocalRuntime runtime;

    private TestRuntime() {
    }

    /** The runtime, reset to a freshly bootstrapped stack with the scan gate off. */
    public static LocalRuntime fresh() {
        return fresh((String) null);
    }

    /** The runtime, reset to a freshly bootstrapped stack with the scan gate at {@code scanGate} (null: off). */
    public static synchronized LocalRuntime fresh(String scanGate) {
        if (runtime == null) {
            runtime = LocalRuntime.start(new LocalRuntime.Options(root(), FUNCTION_LOG::add, scanGate, false));
            Runtime.getRuntime().addShutdownHook(new Thread(runtime::close));
        } else {
            runtime.reset(scanGate);
            assertClockFree();
        }
        FUNCTION_LOG.clear();
        return runtime;
    }

    /**
     * The runtime, reset to a freshly bootstrapped stack with no release: every service on the stack's bootstrap
     * revision with no task, its images pushed but none deployed (the template's default parameters).
     */
    public static LocalRuntime freshWithoutRelease() {
        return freshWithoutRelease(java.util.Map.of());
    }

    /** Like {@link #freshWithoutRelease()}, the template evaluated with {@code parameters} over its defaults. */
    public static synchronized LocalRuntime freshWithoutRelease(java.util.Map<String, String> parameters) {
        if (runtime == null) {
            fresh();
        }
        runtime.resetWithoutRelease(parameters);
        assertClockFree();
        FUNCTION_LOG.clear();
        return runtime;
    }

    /** The runtime, reset to a freshly bootstrapped stack of the template evaluated with {@code parameters}. */
    public static synchronized LocalRuntime fresh(java.util.Map<String, String> parameters) {
        if (runtime == null) {
            fresh();
        }
        runtime.reset(parameters);
        assertClockFree();
        FUNCTION_LOG.clear();
        return runtime;
    }

    /**
     * Once a reset has stopped what an earlier test left running, nothing may hold simulated time: a count the emulator
     * never gives back (it once kept an interpreter thread counted after a stop) makes every later test of the JVM run
     * its waits in wall time.
     */
    private static void assertClockFree() {
        runtime.clockHolders(HOLD_GRACE).ifPresent(holders -> {
            throw new AssertionError("the emulator's clock is held " + HOLD_GRACE.toSeconds()
                    + " s after a reset (what an earlier test left running never gave it back): " + holders);
        });
    }

    public static Path root() {
        return Path.of("..").toAbsolutePath().normalize();
    }
}
