package dev.pushdeploy.model;

/**
 * A deployment we started ({@code $.rollout}, or {@code $.rollback} for the way back).
 *
 * @param deploymentId ECS deployment id of our PRIMARY deployment
 * @param startedAt    epoch millis
 * @param deadlineAt   epoch millis after which an unfinished rollout is TIMED_OUT
 * @param started      false when a retry found the deployment already started
 * @param serviceDeploymentArn ECS's service deployment of the move (the service's {@code currentServiceDeployment}
 *                     after UpdateService); null when unknown (a retry, an emulator without service deployments)
 */
public record Rollout(String deploymentId, String taskDefinition, long startedAt, long deadlineAt, boolean started,
                      String serviceDeploymentArn) {
}
