package dev.pushdeploy.local.time;

import dev.pushdeploy.local.moto.InterpreterClock;
import dev.pushdeploy.local.moto.MotoControl;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs simulated time: does the work of every {@link Agenda} when it falls due, and when nothing
 * runs anywhere (no request in the local endpoint, no delivery, every interpreter thread of moto
 * waiting) moves the clock — moto's and {@link SimulatedClock} together — straight to the next
 * thing that will happen: the earliest agenda item or interpreter timer (a Wait state, a Retry
 * interval, a task timeout). While anything runs, time passes as on the wall clock, so work costs
 * what it costs; only idle time is skipped. Nothing is skipped past a timer, so every state
 * transition, timeout and delay happens in the same order and at the same simulated time as it
 * would in real time.
 */
public final class TimeKeeper implements AutoCloseable {
    private static final Duration IDLE_POLL = Duration.ofMillis(50);
    private static final long PAUSE_MILLIS = 50;

    private final SimulatedClock clock;
    private final InterpreterClock moto;
    private final Consumer<String> log;
    private final List<Agenda> agendas = new CopyOnWriteArrayList<>();
    private final AtomicInteger busy = new AtomicInteger();
    private final Object signal = new Object();
    private final Thread thread;
    private volatile boolean running = true;
    private final ScheduledExecutorService expiries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "time-keeper-expiries");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param log receives errors of agendas (they never stop time)
     */
    public TimeKeeper(SimulatedClock clock, InterpreterClock moto, Consumer<String> log) {
        this.clock = clock;
        this.moto = moto;
        this.log = log;
        this.thread = new Thread(this::loop, "time-keeper");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    public void add(Agenda agenda) {
        agendas.add(agenda);
        wake();
    }

    /** Marks work in progress until the returned handle is closed: time is not skipped meanwhile. */
    public Activity busy() {
        busy.incrementAndGet();
        return () -> {
            if (busy.decrementAndGet() == 0) {
                wake();
            }
        };
    }

    /** Like {@link #busy()}, but closed by itself after {@code wall} (wall time) at the latest; closing it again does nothing. */
    public Activity busyFor(Duration wall) {
        Activity busy = busy();
        AtomicBoolean open = new AtomicBoolean(true);
        Activity once = () -> {
            if (open.getAndSet(false)) {
                busy.close();
            }
        };
        expiries.schedule(once::close, wall.toMillis(), TimeUnit.MILLISECONDS);
        return once;
    }

    /** Something has new work (an agenda item earlier than before): look again now. */
    public void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    /** A piece of work in progress. */
    @FunctionalInterface
    public interface Activity extends AutoCloseable {
        @Override
        void close();
    }

    private void loop() {
        while (running) {
            try {
                step();
            } catch (RuntimeException e) {
                if (running) {
                    log.accept("time keeper: " + e.getMessage());
                    pause();
                }
            }
        }
    }

    private void step() {
        long now = clock.millis();
        for (Agenda agenda : agendas) {
            try {
                agenda.runUntil(now);
            } catch (RuntimeException e) {
                log.accept("time keeper: " + agenda.getClass().getSimpleName() + " failed: " + e);
            }
        }
        if (busy.get() > 0) {
            pause();
            return;
        }
        OptionalLong nextAgenda = next();
        if (nextAgenda.isPresent() && nextAgenda.getAsLong() <= clock.millis()) {
            return;
        }
        MotoControl.Idle interpreter = moto.idle(IDLE_POLL);
        if (!interpreter.idle() || busy.get() > 0) {
            return;
        }
        // read again: what became idle while the interpreter was waited for may have left work (a change
        // published to the bus is due before the timer read above)
        long target = earliest(next(), interpreter.next());
        if (target == Long.MAX_VALUE || target <= clock.millis()) {
            pause();
            return;
        }
        double offset = moto.advance(target / 1000.0);
        clock.offsetMillis(Math.round(offset * 1000));
    }

    private OptionalLong next() {
        OptionalLong next = OptionalLong.empty();
        for (Agenda agenda : agendas) {
            OptionalLong at = agenda.nextAt();
            if (at.isPresent() && (next.isEmpty() || at.getAsLong() < next.getAsLong())) {
                next = at;
            }
        }
        return next;
    }

    private static long earliest(OptionalLong agenda, OptionalDouble interpreterSeconds) {
        long target = agenda.orElse(Long.MAX_VALUE);
        if (interpreterSeconds.isPresent()) {
            target = Math.min(target, (long) Math.ceil(interpreterSeconds.getAsDouble() * 1000));
        }
        return target;
    }

    private void pause() {
        synchronized (signal) {
            try {
                signal.wait(PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        expiries.shutdownNow();
    }
}
