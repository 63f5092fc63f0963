package dev.pushdeploy.rollout;

import java.util.Optional;

/** Where a waiting workflow leaves its task token, one per service (the lock allows one rollout at a time). */
public interface RolloutWatches {
    /** Records the watch of its request's service, replacing any earlier one. */
    void register(Watch watch);

    Optional<Watch> find(String cluster, String service);

    /** Removes the service's watch if it still holds {@code token}. */
    void remove(String cluster, String service, String token);

    /**
     * Counts one more resume of the watch's run by an event whose look could not observe the service, unless the run has
     * had {@code max} already: whether it was counted.
     */
    boolean countResume(Watch watch, int max);
}
