package dev.pushdeploy.local.time;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The one clock of the local runtime: the wall clock plus an offset that only grows. The ECS
 * simulator, the event bus, the handlers (built with it) and moto's interpreter (whose clocks the
 * launcher moves by the same offset) all read it; {@link TimeKeeper} moves it forward when every
 * one of them waits, so waiting costs no wall time while everything that happens still takes as
 * long as it does.
 */
public final class SimulatedClock extends Clock {
    private volatile long offsetMillis;

    @Override
    public long millis() {
        return System.currentTimeMillis() + offsetMillis;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (ZoneOffset.UTC.equals(zone)) {
            return this;
        }
        throw new UnsupportedOperationException("the simulated clock runs in UTC");
    }

    /** Sets the offset; it never goes back (simulated time does not run backwards). */
    synchronized void offsetMillis(long offset) {
        if (offset > offsetMillis) {
            offsetMillis = offset;
        }
    }
}
