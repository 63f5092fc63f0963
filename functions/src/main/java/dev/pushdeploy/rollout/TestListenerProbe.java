package dev.pushdeploy.rollout;

import java.util.Map;

/** An HTTP request that the load balancer's test listener rule routes to the new revision (it matches a header). */
@FunctionalInterface
public interface TestListenerProbe {
    /** GET {@code url} with {@code headers}; ok when it answers {@code expectedStatus}. */
    RolloutSnapshot.SmokeResult probe(String url, int expectedStatus, Map<String, String> headers);
}
