package dev.pushdeploy.adapter.aws;

import java.util.Optional;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterVersionNotFoundException;

/** SSM GetParameter where a missing parameter is an answer, not an error. */
final class SsmParameters {
    private SsmParameters() {
    }

    /** The parameter's value (decrypted when {@code decrypt}), or empty when it does not exist. */
    static Optional<String> read(SsmClient ssm, String name, boolean decrypt) {
        return parameter(ssm, name, decrypt).map(Parameter::value);
    }

    /**
     * The parameter, {@code name} possibly with a version selector ({@code name:3}), or empty when it, or that version
     * (SSM keeps a parameter's newest 100), does not exist.
     */
    static Optional<Parameter> parameter(SsmClient ssm, String name, boolean decrypt) {
        return AwsCall.run("ssm:GetParameter " + name, () -> {
            try {
                return Optional.of(ssm.getParameter(r -> r.name(name).withDecryption(decrypt)).parameter());
            } catch (ParameterNotFoundException | ParameterVersionNotFoundException e) {
                return Optional.empty();
            }
        });
    }
}
