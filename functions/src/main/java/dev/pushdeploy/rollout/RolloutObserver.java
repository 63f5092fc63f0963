package dev.pushdeploy.rollout;

import dev.pushdeploy.config.Health;
import dev.pushdeploy.model.Rollout;

/** Takes the {@link RolloutSnapshot} of a service that CheckDeployment judges. */
@FunctionalInterface
public interface RolloutObserver {
    /**
     * Observes the service; runs the smoke check when {@code health.smokeUrl()} is set.
     *
     * @throws dev.pushdeploy.error.RunInterruptedException when the service no longer exists ({@link ServiceReader#require})
     */
    RolloutSnapshot observe(String cluster, String service, Health health);

    /**
     * Observes the service for one rollout: also the states of {@code health.alarms()} and, when the
     * service shifts traffic, ECS's service deployment of the rollout's revision and what the
     * lifecycle hook recorded about it. Observers that cannot see those answer {@link #observe}.
     */
    default RolloutSnapshot observe(String cluster, String service, Health health, Rollout rollout) {
        return observe(cluster, service, health);
    }
}
