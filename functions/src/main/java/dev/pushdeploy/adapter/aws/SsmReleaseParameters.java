package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.ledger.ReleaseParameters;
import java.util.Optional;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterAlreadyExistsException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** {@link ReleaseParameters} over SSM Parameter Store (String parameters, never SecureString values). */
public final class SsmReleaseParameters implements ReleaseParameters {
    private final SsmClient ssm;

    public SsmReleaseParameters(SsmClient ssm) {
        this.ssm = ssm;
    }

    @Override
    public Optional<String> read(String name) {
        return SsmParameters.read(ssm, name, false);
    }

    @Override
    public void write(String name, String value) {
        AwsCall.exec("ssm:PutParameter " + name, () ->
                ssm.putParameter(r -> r.name(name).type(ParameterType.STRING).value(value).overwrite(true)));
    }

    /** PutParameter without overwrite: Parameter Store itself refuses to replace an existing value. */
    @Override
    public boolean createIfAbsent(String name, String value) {
        return AwsCall.run("ssm:PutParameter " + name, () -> {
            try {
                ssm.putParameter(r -> r.name(name).type(ParameterType.STRING).value(value).overwrite(false));
                return true;
            } catch (ParameterAlreadyExistsException e) {
                return false;
            }
        });
    }
}
