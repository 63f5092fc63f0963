package dev.pushdeploy.local.time;

import java.util.OptionalLong;

/** Something that has work at given simulated times (the ECS simulator, event deliveries). */
public interface Agenda {
    /** The earliest simulated time (epoch millis) with work to do, if any. */
    OptionalLong nextAt();

    /** Does the work due at or before {@code nowMillis}. */
    void runUntil(long nowMillis);
}
