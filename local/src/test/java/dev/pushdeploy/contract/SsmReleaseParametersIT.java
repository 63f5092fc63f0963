package dev.pushdeploy.contract;

import dev.pushdeploy.adapter.aws.SsmReleaseParameters;
import dev.pushdeploy.ledger.ReleaseParameters;
import dev.pushdeploy.ledger.ReleaseParametersContract;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ssm.SsmClient;

/** The release parameters contract against the SSM adapter on the emulator. */
@ExtendWith(EmulatorExtension.class)
class SsmReleaseParametersIT extends ReleaseParametersContract {
    SsmClient ssm;

    @BeforeEach
    void connect(Emulator emulator) {
        emulator.reset();
        ssm = emulator.client(SsmClient.builder());
    }

    @Override
    protected ReleaseParameters subject() {
        return new SsmReleaseParameters(ssm);
    }
}
