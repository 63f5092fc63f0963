package dev.pushdeploy.config;

import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.adapter.aws.AwsCall;
import dev.pushdeploy.error.ConfigurationException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;

/** Where the configuration document comes from. */
@FunctionalInterface
public interface ConfigSource {
    PipelineConfig load();

    /** The SSM String parameter named by {@code CONFIG_PARAMETER}, read and validated on first use, then cached. */
    static ConfigSource ssm(SsmClient ssm, String parameterName) {
        return new ConfigSource() {
            private volatile PipelineConfig cached;

            @Override
            public PipelineConfig load() {
                PipelineConfig config = cached;
                if (config == null) {
                    String document;
                    try {
                        document = AwsCall.run("ssm:GetParameter " + parameterName,
                                () -> ssm.getParameter(r -> r.name(parameterName)).parameter().value());
                    } catch (dev.pushdeploy.error.AwsFailureException e) {
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
        };
    }

    static ConfigSource of(PipelineConfig config) {
        return () -> config;
    }
}
