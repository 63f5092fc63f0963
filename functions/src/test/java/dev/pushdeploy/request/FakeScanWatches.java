package dev.pushdeploy.request;

import dev.pushdeploy.model.ScanResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Scan watches and the tokens they resume, in memory: what was registered, what was answered. */
public final class FakeScanWatches implements ScanWatches, ScanTokens {
    private final Map<String, ScanWatch> watches = new LinkedHashMap<>();
    private final Map<String, ScanResult> answered = new LinkedHashMap<>();
    private final List<String> gone = new ArrayList<>();
    private final Map<String, Integer> resumes = new LinkedHashMap<>();

    @Override
    public void register(ScanWatch watch) {
        watches.put(key(watch), watch);
    }

    @Override
    public List<ScanWatch> find(String repository) {
        return watches.values().stream().filter(w -> w.request().repository().equals(repository)).toList();
    }

    @Override
    public void remove(ScanWatch watch) {
        watches.computeIfPresent(key(watch), (k, held) -> held.token().equals(watch.token()) ? null : held);
    }

    @Override
    public boolean countResume(ScanWatch watch, int max) {
        int count = resumes.getOrDefault(watch.request().requestId(), 0);
        if (count >= max) {
            return false;
        }
        resumes.put(watch.request().requestId(), count + 1);
        return true;
    }

    @Override
    public boolean succeed(String token, ScanResult result) {
        if (gone.contains(token) || answered.containsKey(token)) {
            return false;
        }
        answered.put(token, result);
        return true;
    }

    /** The token no longer waits (its task timed out or its run ended): resuming it answers false. */
    public FakeScanWatches gone(String token) {
        gone.add(token);
        return this;
    }

    public List<ScanWatch> watches() {
        return List.copyOf(watches.values());
    }

    /** Token → the answer its wait was resumed with. */
    public Map<String, ScanResult> answered() {
        return Map.copyOf(answered);
    }

    private static String key(ScanWatch watch) {
        return watch.request().repository() + "@" + watch.request().digest() + "#" + watch.request().serviceKey();
    }
}
