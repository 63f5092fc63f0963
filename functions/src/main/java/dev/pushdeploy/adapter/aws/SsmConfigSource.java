package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.CachedConfigSource;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.error.ConfigurationException;
import java.time.Clock;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;

/**
 * The configuration document in an SSM String parameter, read and validated on first use, then
 * kept for {@link CachedConfigSource#TTL}: a redeployed configuration reaches warm functions
 * within that time.
 */
public final class SsmConfigSource implements ConfigSource {
    private final SsmClient ssm;
    private final String parameterName;
    private final ConfigSource cached;

    public SsmConfigSource(SsmClient ssm, String parameterName) {
        this(ssm, parameterName, Clock.systemUTC());
    }

    public SsmConfigSource(SsmClient ssm, String parameterName, Clock clock) {
        this.ssm = ssm;
        this.parameterName = parameterName;
        this.cached = new CachedConfigSource(this::read, CachedConfigSource.TTL, clock);
    }

    @Override
    public PipelineConfig load() {
        return cached.load();
    }

    private PipelineConfig read() {
        String document;
        try {
            document = AwsCall.run("ssm:GetParameter " + parameterName,
                    () -> ssm.getParameter(r -> r.name(parameterName)).parameter().value());
        } catch (AwsFailureException e) {
            if (e.getCause() instanceof ParameterNotFoundException) {
                throw new ConfigurationException("configuration parameter " + parameterName + " does not exist");
            }
            throw e;
        }
        return ConfigParser.parse(document);
    }
}
