package dev.pushdeploy.secrets;

import dev.pushdeploy.error.AwsFailureException;
import java.util.Optional;
import java.util.function.Predicate;

/** A slot store whose Parameter Store refuses the writes of some parameters (a disabled key, a policy); reads go through. */
public final class RefusingSlotStore implements SlotStore {
    private final SlotStore store;
    private final Predicate<String> refused;

    public RefusingSlotStore(SlotStore store, Predicate<String> refused) {
        this.store = store;
        this.refused = refused;
    }

    @Override
    public Optional<SecretValue> read(String parameter) {
        return store.read(parameter);
    }

    @Override
    public long write(String parameter, SecretValue value, String kmsKeyId) {
        if (refused.test(parameter)) {
            throw new AwsFailureException("ssm:PutParameter " + parameter + " failed: AccessDeniedException", null);
        }
        return store.write(parameter, value, kmsKeyId);
    }

    @Override
    public Optional<MasterCredentials> master(String parameter) {
        return store.master(parameter);
    }
}
