package dev.pushdeploy.model;

/**
 * One check of a rollout ({@code $.check}).
 *
 * @param nextPollSeconds      how long the state machine waits before the next check (adaptive)
 * @param strategy             the service's deployment strategy (ROLLING, BLUE_GREEN, CANARY, LINEAR)
 * @param stage                how far the rollout got: the ECS lifecycle stage of a traffic-shifting
 *                             deployment (the last one the hook judged, after a rollback), or the
 *                             rolling deployment's rolloutState; null when nothing is known yet
 * @param productionPercent    the share of production traffic the new revision gets now (0–100)
 * @param maxProductionPercent the highest share it got so far, as far as anything recorded it
 */
public record CheckResult(Verdict verdict, String reason, int nextPollSeconds, int running, int desired, int failedTasks,
                          String strategy, String stage, double productionPercent, double maxProductionPercent) {

    /** A check that knows nothing about strategy or traffic. */
    public CheckResult(Verdict verdict, String reason, int nextPollSeconds, int running, int desired, int failedTasks) {
        this(verdict, reason, nextPollSeconds, running, desired, failedTasks, null, null, 0, 0);
    }
}
