package dev.pushdeploy.model;

/** How an execution ended Only SUCCEEDED and IGNORED end the execution successfully. */
public enum Outcome {
    SUCCEEDED,
    ROLLED_BACK,
    ROLLBACK_FAILED,
    REJECTED,
    IGNORED,
    SUPERSEDED;

    public boolean executionSucceeds() {
        return this == SUCCEEDED || this == IGNORED;
    }
}
