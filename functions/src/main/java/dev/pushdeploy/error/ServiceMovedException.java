package dev.pushdeploy.error;

/**
 * The service no longer runs the revision the run was prepared from, and the run has not moved it yet: what it read
 * (the way back, the live secret slots) is out of date. The deploy workflow prepares such a run again, once, holding its
 * lock; a second move, or one met on the way back, interrupts it as any {@link RunInterruptedException} does.
 */
public class ServiceMovedException extends RunInterruptedException {
    public ServiceMovedException(String message) {
        super(message);
    }
}
