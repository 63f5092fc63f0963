package dev.pushdeploy.adapter.aws;

import java.util.Optional;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;

/** SSM GetParameter where a missing parameter is an answer, not an error. */
final class SsmParameters {
    private SsmParameters() {
    }

    /** The parameter's value (decrypted when {@code decrypt}), or empty when it does not exist. */
    static Optional<String> read(SsmClient ssm, String name, boolean decrypt) {
        return AwsCall.run("ssm:GetParameter " + name, () -> {
            try {
                return Optional.of(ssm.getParameter(r -> r.name(name).withDecryption(decrypt)).parameter().value());
            } catch (ParameterNotFoundException e) {
                return Optional.empty();
            }
        });
    }
}
