package dev.pushdeploy.secrets;

import dev.pushdeploy.adapter.aws.AwsCall;
import dev.pushdeploy.error.AwsFailureException;
import java.util.Optional;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** The SecureString parameters that hold secret slots and the database master credentials. */
public interface SlotStore {
    /** The decrypted value of a SecureString parameter, or empty when it does not exist. */
    Optional<SecretValue> read(String parameter);

    /**
     * Writes a SecureString (overwriting, which also creates a missing parameter) encrypted
     * with {@code kmsKeyId} (null: the account's default SSM key); returns the new version.
     */
    long write(String parameter, SecretValue value, String kmsKeyId);

    static SlotStore ssm(SsmClient ssm) {
        return new SlotStore() {
            @Override
            public Optional<SecretValue> read(String parameter) {
                try {
                    return Optional.of(AwsCall.run("ssm:GetParameter " + parameter,
                            () -> SecretValue.of(ssm.getParameter(r -> r.name(parameter).withDecryption(true))
                                    .parameter().value())));
                } catch (AwsFailureException e) {
                    if (e.getCause() instanceof ParameterNotFoundException) {
                        return Optional.empty();
                    }
                    throw e;
                }
            }

            @Override
            public long write(String parameter, SecretValue value, String kmsKeyId) {
                return AwsCall.run("ssm:PutParameter " + parameter,
                        () -> ssm.putParameter(r -> r.name(parameter)
                                .type(ParameterType.SECURE_STRING)
                                .keyId(kmsKeyId)
                                .overwrite(true)
                                .value(value.reveal())).version());
            }
        };
    }
}
