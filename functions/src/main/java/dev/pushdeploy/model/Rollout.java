package dev.pushdeploy.model;

/**
 * A deployment we started ({@code $.rollout}, or {@code $.rollback} for the way back).
 *
 * @param deploymentId ECS deployment id of our PRIMARY deployment
 * @param startedAt    epoch millis
 * @param deadlineAt   epoch millis after which an unfinished rollout is TIMED_OUT
 * @param started      false when a retry found the deployment already started
 */
public record Rollout(String deploymentId, String taskDefinition, long startedAt, long deadlineAt, boolean started) {
}
