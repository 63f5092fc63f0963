package dev.pushdeploy.model;

/**
 * How a request ended. Only SUCCEEDED and IGNORED end the execution successfully.
 * ABORTED and TIMED_OUT are recorded by the reconciler for executions stopped from outside
 * (StopExecution, the state machine's time limit), which reach Finalize only when redriven
 * (RedriveExecution); Finalize then answers that record.
 */
public enum Outcome {
    /** The new revision is live and was verified healthy. */
    SUCCEEDED,
    /** Our revision reached the service, failed, and the service is back on the recorded revision, verified healthy. */
    ROLLED_BACK,
    /** Our revision reached the service and failed, and the way back failed too. */
    ROLLBACK_FAILED,
    /** The input or the image is not acceptable (validation, scan findings); nothing was deployed. */
    REJECTED,
    /** Nothing to do (tag filtered, digest already live, or a pushed digest in flight). */
    IGNORED,
    /** A newer request for the service was waiting. */
    SUPERSEDED,
    /** A step failed, or a wait ran past its deadline, before our revision reached the service; nothing was deployed. */
    FAILED,
    /** The service moved to a revision the pipeline did not start; the run stopped without touching it. */
    INTERRUPTED,
    /** The execution was stopped (StopExecution) before it finished. */
    ABORTED,
    /** The execution ran into the state machine's time limit. */
    TIMED_OUT;

    public boolean executionSucceeds() {
        return this == SUCCEEDED || this == IGNORED;
    }
}
