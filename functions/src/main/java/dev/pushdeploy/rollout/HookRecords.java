package dev.pushdeploy.rollout;

import java.util.Optional;

/**
 * What the lifecycle hook saw of one service deployment, kept where CheckDeployment and Finalize can
 * read it: the last stage it judged, the highest production traffic share of the new revision, and
 * the evidence of a FAILED answer (ECS's own rollback reason does not carry it).
 */
public interface HookRecords {
    /** Adds one hook invocation to the record of its service deployment (the max share only grows, the first failure stays). */
    void record(HookRecord invocation);

    /** The record of a service deployment; empty when the hook never ran for it. */
    Optional<HookRecord> find(String serviceDeploymentArn);

    /**
     * @param stage             the lifecycle stage of the (last) invocation
     * @param productionPercent the production share of the target revision (the highest, when read back)
     * @param status            the hook's (last) answer: SUCCEEDED, FAILED or IN_PROGRESS
     * @param failure           why the hook answered FAILED (the first time it did); null otherwise
     * @param at                epoch millis of the (last) invocation
     */
    record HookRecord(String serviceDeploymentArn, String serviceKey, String stage, double productionPercent, String status,
                      String failure, long at) {
    }
}
