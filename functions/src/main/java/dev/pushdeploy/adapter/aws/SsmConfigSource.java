package dev.pushdeploy.adapter.aws;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.CachedConfigSource;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.error.ConfigurationException;
import java.time.Clock;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Parameter;

/**
 * The configuration document in an SSM String parameter, read and validated on first use, then
 * kept for {@link CachedConfigSource#TTL}: a redeployed configuration reaches warm functions
 * within that time. A version of it is read by SSM's selector ({@code name:version}) and kept for good (a version
 * never changes); one SSM no longer keeps (it keeps a parameter's newest 100) reads as the current document. A version
 * not kept yet is looked for in the current document first: a run's steps mostly read the version that is current, and
 * a step that reads both then reads once.
 */
public final class SsmConfigSource implements ConfigSource {
    private static final int VERSIONS_KEPT = 8;

    private final Supplier<SsmClient> ssm;
    private final String parameterName;
    private final ConfigSource cached;
    private final Map<Long, PipelineConfig> versions = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, PipelineConfig> eldest) {
            return size() > VERSIONS_KEPT;
        }
    };

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
        this.cached = new CachedConfigSource(() -> read(null), CachedConfigSource.TTL, clock);
    }

    @Override
    public PipelineConfig load() {
        return cached.load();
    }

    @Override
    public PipelineConfig load(Long version) {
        if (version == null) {
            return load();
        }
        synchronized (versions) {
            PipelineConfig kept = versions.get(version);
            if (kept != null) {
                return kept;
            }
        }
        try {
            PipelineConfig current = load();
            if (version.equals(current.version())) {
                return current;
            }
        } catch (ConfigurationException broken) {
            // the current document broken (by hand): the run's own version may still be whole
        }
        return read(version);
    }

    private PipelineConfig read(Long version) {
        Parameter parameter = SsmParameters.parameter(ssm.get(), version == null ? parameterName : parameterName + ":" + version, false)
                .orElse(null);
        if (parameter == null && version != null) {
            return load();
        }
        if (parameter == null) {
            throw new ConfigurationException("configuration parameter " + parameterName + " does not exist");
        }
        PipelineConfig config = ConfigParser.parse(parameter.value()).withVersion(parameter.version());
        if (parameter.version() != null) {
            synchronized (versions) {
                versions.put(parameter.version(), config);
            }
        }
        return config;
    }
}
