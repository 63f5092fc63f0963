package dev.pushdeploy.rollout;

import dev.pushdeploy.model.CheckResult;

/** Resumes a workflow that waits with a task token. */
public interface TaskTokens {
    /**
     * Hands the check's result to the waiting task (Step Functions SendTaskSuccess).
     *
     * @return false when the token no longer waits (the task timed out, or was resumed already)
     */
    boolean succeed(String token, CheckResult result);
}
