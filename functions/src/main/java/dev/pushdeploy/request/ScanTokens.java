package dev.pushdeploy.request;

import dev.pushdeploy.model.ScanResult;

/** Resumes a workflow that waits for a scan with a task token. */
public interface ScanTokens {
    /**
     * Hands the gate's answer to the waiting task (Step Functions SendTaskSuccess).
     *
     * @return false when the token no longer waits (the task timed out, or was resumed already)
     */
    boolean succeed(String token, ScanResult result);
}
