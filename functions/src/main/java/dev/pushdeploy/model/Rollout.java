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
 * @param desiredCount the tasks the move asked for with the revision; null when the service kept its count. A way
 *                     back to 0 tasks (a first release undone) is healthy with none running.
 */
public record Rollout(String deploymentId, String taskDefinition, long startedAt, long deadlineAt, boolean started,
                      String serviceDeploymentArn, Integer desiredCount) {
    /** A move that kept the service's desired count. */
    public Rollout(String deploymentId, String taskDefinition, long startedAt, long deadlineAt, boolean started,
                   String serviceDeploymentArn) {
        this(deploymentId, taskDefinition, startedAt, deadlineAt, started, serviceDeploymentArn, null);
    }

    /** Whether the move takes the service to no tasks at all. */
    public boolean toZero() {
        return desiredCount != null && desiredCount == 0;
    }
}
