package dev.pushdeploy.ledger;

/** Somewhere the outcome of a request is published. */
@FunctionalInterface
public interface OutcomeSink {
    void publish(OutcomeNotice notice);
}
