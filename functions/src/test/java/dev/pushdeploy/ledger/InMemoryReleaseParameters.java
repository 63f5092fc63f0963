package dev.pushdeploy.ledger;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Release parameters in memory: their values, and every name written, in order. */
public final class InMemoryReleaseParameters implements ReleaseParameters {
    public final Map<String, String> values = new ConcurrentHashMap<>();
    final List<String> writes = new CopyOnWriteArrayList<>();

    @Override
    public Optional<String> read(String name) {
        return Optional.ofNullable(values.get(name));
    }

    @Override
    public void write(String name, String value) {
        values.put(name, value);
        writes.add(name);
    }

    @Override
    public boolean createIfAbsent(String name, String value) {
        if (values.putIfAbsent(name, value) != null) {
            return false;
        }
        writes.add(name);
        return true;
    }
}
