package dev.pushdeploy.adapter.aws;

import java.util.function.Supplier;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.CachedConfigSource;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.error.ConfigurationException;
import java.time.Clock;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The configuration document in an SSM String parameter, read and validated on first use, then
 * kept for {@link CachedConfigSource#TTL}: a redeployed configuration reaches warm functions
 * within that time.
 */
public final class SsmConfigSource implements ConfigSource {
    private final Supplier<SsmClient> ssm;
    private final String parameterName;
    private final ConfigSource cached;

    public SsmConfigSource(SsmClient ssm, String parameterName) {
        this(ssm, parameterName, Clock.systemUTC());
    }

    public SsmConfigSource(SsmClient ssm, String parameterName, Clock clock) {
        this(() -> ssm, parameterName, clock);
    }

    /** @param ssm the client, built on first use (a path that never reads the configuration never builds it) */
    public SsmConfigSource(Supplier<SsmClient> ssm, String parameterName) {
        this(ssm, parameterName, Clock.systemUTC());
    }

    public SsmConfigSource(Supplier<SsmClient> ssm, String parameterName, Clock clock) {
        this.ssm = ssm;
        this.parameterName = parameterName;
        this.cached = new CachedConfigSource(this::read, CachedConfigSource.TTL, clock);
    }

    @Override
    public PipelineConfig load() {
        return cached.load();
    }

    private PipelineConfig read() {
        String document = SsmParameters.read(ssm.get(), parameterName, false).orElseThrow(() -> new ConfigurationException(
                "configuration parameter " + parameterName + " does not exist"));
        return ConfigParser.parse(document);
    }
}
