package dev.pushdeploy.local.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.local.moto.InterpreterClock;
import dev.pushdeploy.local.moto.MotoControl;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

/**
 * The keeper moves time to the earliest work there is when it moves it, including work that appeared while it
 * waited for the interpreter to be idle: the interpreter's last change is published to the bus (a delivery due half a
 * second later) just before the interpreter counts as idle, and time must not skip past that delivery to a timer a
 * minute away.
 */
class TimeKeeperTest {
    @Test
    void workThatAppearsWhileTheInterpreterIsAwaitedIsNotSkipped() throws InterruptedException {
        SimulatedClock clock = new SimulatedClock();
        long start = clock.millis();
        Work work = new Work();
        work.due.add(start + 60_000);
        long delivery = start + 500;
        CountDownLatch ran = new CountDownLatch(1);
        List<Double> advances = new CopyOnWriteArrayList<>();
        InterpreterClock interpreter = new InterpreterClock() {
            boolean published;

            @Override
            public synchronized MotoControl.Idle idle(Duration wait) {
                if (!published) {
                    published = true;
                    work.due.add(delivery);
                }
                return new MotoControl.Idle(0, false, OptionalDouble.empty(), offsetSeconds(clock));
            }

            @Override
            public double advance(double epochSeconds) {
                advances.add(epochSeconds);
                return (epochSeconds * 1000 - System.currentTimeMillis()) / 1000.0;
            }
        };
        work.onRun = at -> {
            if (at >= delivery && ran.getCount() > 0) {
                work.ranAt = at;
                ran.countDown();
            }
        };

        try (TimeKeeper keeper = new TimeKeeper(clock, interpreter, line -> { })) {
            keeper.add(work);
            assertTrue(ran.await(10, TimeUnit.SECONDS), "the delivery ran");
        }
        assertEquals(delivery / 1000.0, advances.get(0), 0.001, "the first move is to the delivery, not to the timer a minute away");
        assertTrue(work.ranAt < start + 60_000, "ran at +" + (work.ranAt - start) + " ms");
    }

    private static double offsetSeconds(SimulatedClock clock) {
        return (clock.millis() - System.currentTimeMillis()) / 1000.0;
    }

    /** Work due at given moments; each is done (and forgotten) once the clock reaches it. */
    private static final class Work implements Agenda {
        final ConcurrentSkipListSet<Long> due = new ConcurrentSkipListSet<>();
        volatile LongConsumer onRun = at -> { };
        volatile long ranAt;

        @Override
        public OptionalLong nextAt() {
            return due.isEmpty() ? OptionalLong.empty() : OptionalLong.of(due.first());
        }

        @Override
        public void runUntil(long nowMillis) {
            while (!due.isEmpty() && due.first() <= nowMillis) {
                due.pollFirst();
                onRun.accept(nowMillis);
            }
        }
    }
}
