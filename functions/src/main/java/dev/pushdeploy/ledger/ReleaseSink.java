package dev.pushdeploy.ledger;

/** Somewhere the end of a release is published. */
@FunctionalInterface
public interface ReleaseSink {
    void publish(ReleaseRecord.Notice notice);
}
