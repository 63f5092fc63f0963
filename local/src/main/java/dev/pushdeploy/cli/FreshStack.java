package dev.pushdeploy.cli;

import dev.pushdeploy.local.LocalRuntime;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A local stack for one command ({@code run}, {@code invoke}, {@code demo}): started, used, stopped —
 * also when Ctrl-C interrupts the command, which then says what it stopped.
 */
final class FreshStack {
    private FreshStack() {
    }

    /**
     * @param doing what the command is doing, for the interruption message (e.g. "the run was at Lock")
     */
    static <T> T with(LocalRuntime.Options options, Supplier<String> doing, Function<LocalRuntime, T> body) {
        AtomicReference<LocalRuntime> started = new AtomicReference<>();
        Runnable stop = () -> {
            LocalRuntime runtime = started.getAndSet(null);
            if (runtime != null) {
                runtime.close();
            }
        };
        try (var guard = Interruption.guard(() -> "stopping the local stack (moto, the local endpoint, PostgreSQL)"
                + (started.get() == null ? " while it starts" : "; " + doing.get()), stop,
                () -> "stopped; nothing of this command is left running")) {
            started.set(LocalRuntime.start(options));
            try {
                return body.apply(started.get());
            } finally {
                stop.run();
            }
        }
    }
}
