package dev.pushdeploy.local.endpoint;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** One arrival held until released: what a test holds in flight (an invocation, an AWS call) to act meanwhile. */
public final class Gate {
    private final CountDownLatch arrived = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    /** Marks the arrival and waits for the release; false when none came within {@code longest}. */
    public boolean pass(Duration longest) throws InterruptedException {
        arrived.countDown();
        return released.await(longest.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits until something has arrived; false when nothing did within the timeout. */
    public boolean awaitArrival(Duration timeout) throws InterruptedException {
        return arrived.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Lets what is held (and anything arriving later) go on. */
    public void release() {
        released.countDown();
    }
}
