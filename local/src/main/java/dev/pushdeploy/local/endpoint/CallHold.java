package dev.pushdeploy.local.endpoint;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * The first AWS request that matches, held at the endpoint before it goes on until {@link #release()}: a step
 * caught between two of its calls (for an operator acting in that moment). Keep holds shorter than the SDK's
 * socket timeout, or the client retries past the hold.
 */
public final class CallHold implements Route {
    private static final Duration LONGEST = Duration.ofMinutes(2);

    private final Predicate<AwsRequest> which;
    private final AtomicBoolean taken = new AtomicBoolean();
    private final Gate gate = new Gate();
    private volatile boolean refused;

    public CallHold(Predicate<AwsRequest> which) {
        this.which = which;
    }

    @Override
    public Optional<AwsResponse> handle(AwsRequest request) {
        if (!which.test(request) || !taken.compareAndSet(false, true)) {
            return Optional.empty();
        }
        try {
            if (!gate.pass(LONGEST)) {
                return Optional.of(AwsResponse.text(500, "held for " + LONGEST + " and never released"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(AwsResponse.text(500, "interrupted while held"));
        }
        return refused ? Optional.of(AwsResponse.text(500, "refused after it was held")) : Optional.empty();
    }

    /** Waits until the held request has arrived; false when none did within the timeout. */
    public boolean awaitArrival(Duration timeout) throws InterruptedException {
        return gate.awaitArrival(timeout);
    }

    /** Answers the held request with a 500 instead of letting it go on: it never reaches the service. */
    public void refuse() {
        refused = true;
        gate.release();
    }

    /** Lets the held request (and any later one) go on. */
    public void release() {
        gate.release();
    }
}
