package dev.pushdeploy.ledger;

import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.ReleasePlan;
import java.util.Optional;

/** What the reconciler of a release reads of its executions, and the one thing it starts: a service's rollback. */
public interface ReleaseRuns {
    /** The release's plan (its Plan state's result); empty when the release ended before it had one. */
    Optional<ReleasePlan> plan(String releaseExecutionArn);

    /**
     * Whether the release got through its Notify state (its notification sent, or given up on by the workflow)
     * before it ended; false when it ended after its Record state wrote the record and before Notify was left.
     */
    boolean notified(String releaseExecutionArn);

    /**
     * How the release's workflow summed up its own end (SUCCEEDED: its output; FAILED with its own outcome: its cause):
     * what its Record state writes. Empty when the execution holds no such summary.
     */
    Optional<Summary> summary(String releaseExecutionArn);

    /**
     * The summary a release that was cut off had reached: its outcome decided, it was on its way through its Record or
     * Notify state. {@code notifyFailed} is then true unless its Notify state was left with the notification sent. Empty
     * when it ended before its outcome was decided.
     */
    Optional<Summary> verdict(String releaseExecutionArn);

    /** The deployment workflow's execution of that name; empty when none was started. */
    Optional<Run> run(String name);

    /** Starts the rollback execution of that name; false when an execution of that name exists already. */
    boolean startRollback(String name, Rollback rollback);

    /**
     * An execution of the deployment workflow.
     *
     * @param status   RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED
     * @param error    the error it failed with (its outcome: ROLLED_BACK, REJECTED, ...)
     * @param decision what its Prepare decided, when it succeeded
     * @param previousTaskDefinition the revision live before it moved the service, when it did
     */
    record Run(String status, String error, Decision decision, String previousTaskDefinition) {
    }

    /**
     * The release's outcome, reason and services as its workflow recorded them, and whether its Notify state's publish
     * failed every attempt.
     */
    record Summary(String outcome, String reason, java.util.List<ReleaseRecord.ServiceEnd> services, boolean notifyFailed) {
    }

    /** The input of a rollback execution that undoes a release's deployment ({@code undoes}: that execution's name). */
    record Rollback(String service, String to, String reason, String undoes) {
    }
}
