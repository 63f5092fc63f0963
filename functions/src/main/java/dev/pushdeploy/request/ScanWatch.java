package dev.pushdeploy.request;

import dev.pushdeploy.model.DeployRequest;

/**
 * A workflow waiting for the scan of its request's image: the wait task's token, the request, and when the
 * table may drop the watch (epoch seconds).
 */
public record ScanWatch(String token, DeployRequest request, long expiresAt) {
}
