package dev.pushdeploy.rollout;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** {@link RolloutWatches} in memory: one watch per service, as the table keeps them. */
public final class InMemoryRolloutWatches implements RolloutWatches {
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();

    @Override
    public void register(Watch watch) {
        watches.put(watch.request().serviceKey(), watch);
    }

    @Override
    public Optional<Watch> find(String cluster, String service) {
        return Optional.ofNullable(watches.get(cluster + "/" + service));
    }

    @Override
    public void remove(String cluster, String service, String token) {
        watches.computeIfPresent(cluster + "/" + service, (key, watch) -> watch.token().equals(token) ? null : watch);
    }

    /** The watches by {@code cluster/service}, live. */
    public Map<String, Watch> byService() {
        return watches;
    }
}
