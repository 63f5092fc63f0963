package dev.pushdeploy.config;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A {@link ConfigSource} read at most once per {@code ttl}: a warm function sees a redeployed
 * configuration within {@code ttl} of the change, and pays for one read per {@code ttl}, not one
 * per invocation. A failed read is not cached (the next call reads again).
 */
public final class CachedConfigSource implements ConfigSource {
    /** How long a warm function keeps the configuration it read. */
    public static final Duration TTL = Duration.ofSeconds(60);

    private final ConfigSource source;
    private final Duration ttl;
    private final Clock clock;
    private PipelineConfig cached;
    private Instant readAt;

    public CachedConfigSource(ConfigSource source, Duration ttl, Clock clock) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive: " + ttl);
        }
        this.source = source;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public synchronized PipelineConfig load() {
        Instant now = clock.instant();
        if (cached == null || !now.isBefore(readAt.plus(ttl))) {
            cached = source.load();
            readAt = now;
        }
        return cached;
    }
}
