package dev.pushdeploy.request;

import dev.pushdeploy.model.DeployRequest;

/**
 * A workflow waiting for the scan of its request's image: the wait task's token, the request, when the table may drop
 * the watch (epoch seconds), and how many times Step Functions retried the wait task since the workflow entered it
 * ({@code $$.State.RetryCount}).
 */
public record ScanWatch(String token, DeployRequest request, long expiresAt, int retries) {
}
