package dev.pushdeploy.rollout;

import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.Rollout;

/**
 * A workflow waiting for a rollout of a service to end: the task token that resumes it, and what
 * the check needs.
 *
 * @param release   the request's release (what a rollback check falls back to), may be null
 * @param expiresAt epoch seconds after which the watch is garbage (the table's TTL)
 * @param retries   how many times Step Functions retried the waiting task since the workflow entered its state
 *                  ({@code $$.State.RetryCount})
 */
public record Watch(String token, DeployRequest request, Rollout rollout, Release release, long expiresAt, int retries) {
}
