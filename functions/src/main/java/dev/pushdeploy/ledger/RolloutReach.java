package dev.pushdeploy.ledger;

import dev.pushdeploy.model.CheckResult;

/**
 * How far a run's rollout got, as its last check of the rollout saw it.
 *
 * @param strategy             ROLLING, BLUE_GREEN, CANARY or LINEAR
 * @param stage                the ECS lifecycle stage a traffic-shifting deployment reached (the last one the
 *                             lifecycle hook judged, after a rollback), or a rolling deployment's rolloutState;
 *                             null when unknown
 * @param maxProductionPercent the highest share of production traffic the new revision got (0–100)
 */
public record RolloutReach(String strategy, String stage, double maxProductionPercent) {
    /** From the rollout's last check; null when there was none, or it knew no strategy. */
    public static RolloutReach of(CheckResult check) {
        return check == null || check.strategy() == null ? null
                : new RolloutReach(check.strategy(), check.stage(), check.maxProductionPercent());
    }
}
