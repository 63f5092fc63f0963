package dev.pushdeploy.local.ecs;

/**
 * A deployment started by UpdateService, and the PRIMARY deployment it replaced.
 *
 * @param replacedRolloutState the replaced deployment's rolloutState at that moment: IN_PROGRESS
 *                             means two rollouts overlapped
 */
public record DeploymentStart(String service, String deploymentId, String taskDefinition, String replacedDeploymentId,
                              String replacedTaskDefinition, String replacedRolloutState) {
}
