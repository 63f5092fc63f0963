package dev.pushdeploy.rollout;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/** {@link RolloutWatches} in memory: one watch per service, as the table keeps them. */
public final class InMemoryRolloutWatches implements RolloutWatches {
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private final Map<String, Integer> resumes = new ConcurrentHashMap<>();

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

    @Override
    public synchronized boolean countResume(Watch watch, int max) {
        String run = watch.request().serviceKey() + " " + watch.request().requestId();
        int count = resumes.getOrDefault(run, 0);
        if (count >= max) {
            return false;
        }
        resumes.put(run, count + 1);
        return true;
    }

    /** Watches a caller may only look up, each lookup answered by {@code find} (which may throw); a write fails the test. */
    public static RolloutWatches lookupOnly(BiFunction<String, String, Optional<Watch>> find) {
        return new RolloutWatches() {
            @Override
            public void register(Watch watch) {
                throw new AssertionError("registers a watch");
            }

            @Override
            public Optional<Watch> find(String cluster, String service) {
                return find.apply(cluster, service);
            }

            @Override
            public void remove(String cluster, String service, String token) {
                throw new AssertionError("removes a watch");
            }

            @Override
            public boolean countResume(Watch watch, int max) {
                throw new AssertionError("counts a resume");
            }
        };
    }

    /** The watches by {@code cluster/service}, live. */
    public Map<String, Watch> byService() {
        return watches;
    }
}
