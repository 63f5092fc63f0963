package dev.pushdeploy.local.moto;

import java.time.Duration;

/** The Step Functions interpreter's clock as the time keeper drives it. */
public interface InterpreterClock {
    /** Waits up to {@code wait} for the interpreter to be idle, and says how it is. */
    MotoControl.Idle idle(Duration wait);

    /** Moves the clock to {@code epochSeconds} (never past the next timer), if idle; answers the offset in seconds. */
    double advance(double epochSeconds);
}
