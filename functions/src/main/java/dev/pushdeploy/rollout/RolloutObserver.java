package dev.pushdeploy.rollout;

import dev.pushdeploy.config.Health;

/** Takes the {@link RolloutSnapshot} of a service that CheckDeployment judges. */
@FunctionalInterface
public interface RolloutObserver {
    /** Observes the service; runs the smoke check when {@code health.smokeUrl()} is set. */
    RolloutSnapshot observe(String cluster, String service, Health health);
}
