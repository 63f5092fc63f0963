package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.error.ConfigurationException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;

/** The configuration document in an SSM String parameter, read and validated on first use, then cached. */
public final class SsmConfigSource implements ConfigSource {
    private final SsmClient ssm;
    private final String parameterName;
    private volatile PipelineConfig cached;

    public SsmConfigSource(SsmClient ssm, String parameterName) {
        this.ssm = ssm;
        this.parameterName = parameterName;
    }

    @Override
    public PipelineConfig load() {
        PipelineConfig config = cached;
        if (config == null) {
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
            config = ConfigParser.parse(document);
            cached = config;
        }
        return config;
    }
}
