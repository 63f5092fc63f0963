package dev.pushdeploy.model;

/** CheckDeployment's answer about the deployment we started (docs/design.md, "The health verdict"). */
public enum Verdict {
    IN_PROGRESS,
    HEALTHY,
    FAILED,
    ROLLED_BACK_BY_ECS,
    TIMED_OUT,
    /** The service moved to a revision that is neither ours nor the one ECS would fall back to: someone else deployed. */
    INTERRUPTED;

    public boolean isFinal() {
        return this != IN_PROGRESS;
    }
}
