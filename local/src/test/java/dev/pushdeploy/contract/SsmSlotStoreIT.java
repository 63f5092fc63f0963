package dev.pushdeploy.contract;

import dev.pushdeploy.adapter.aws.SsmSlotStore;
import dev.pushdeploy.secrets.SlotStore;
import dev.pushdeploy.secrets.SlotStoreContract;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ssm.SsmClient;

/** The slot store contract against the SSM adapter on the emulator. */
@ExtendWith(EmulatorExtension.class)
class SsmSlotStoreIT extends SlotStoreContract {
    SsmClient ssm;

    @BeforeEach
    void connect(Emulator emulator) {
        ssm = emulator.client(SsmClient.builder());
    }

    @Override
    protected SlotStore subject() {
        return new SsmSlotStore(ssm);
    }
}
