package dev.pushdeploy.rollout;

/** An HTTP request to the service's public URL that must answer the expected status. */
@FunctionalInterface
public interface SmokeCheck {
    RolloutSnapshot.SmokeResult probe(String url, int expectedStatus);
}
