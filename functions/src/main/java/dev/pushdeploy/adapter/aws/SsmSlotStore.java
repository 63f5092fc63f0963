package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.adapter.json.MasterCredentialsJson;
import dev.pushdeploy.secrets.MasterCredentials;
import dev.pushdeploy.secrets.SecretValue;
import dev.pushdeploy.secrets.SlotStore;
import java.util.Optional;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** {@link SlotStore} over SSM SecureString parameters. */
public final class SsmSlotStore implements SlotStore {
    private final SsmClient ssm;

    public SsmSlotStore(SsmClient ssm) {
        this.ssm = ssm;
    }

    @Override
    public Optional<SecretValue> read(String parameter) {
        return SsmParameters.read(ssm, parameter, true).map(SecretValue::of);
    }

    @Override
    public Optional<MasterCredentials> master(String parameter) {
        return read(parameter).map(document -> MasterCredentialsJson.parse(parameter, document));
    }

    @Override
    public long write(String parameter, SecretValue value, String kmsKeyId) {
        Long version = AwsCall.run("ssm:PutParameter " + parameter,
                () -> ssm.putParameter(r -> r.name(parameter)
                        .type(ParameterType.SECURE_STRING)
                        .keyId(kmsKeyId)
                        .overwrite(true)
                        .value(value.reveal())).version());
        // while priming the write is answered in process, without a version
        return version == null && Priming.active() ? 0 : version;
    }
}
