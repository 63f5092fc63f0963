package dev.pushdeploy.contract;

import dev.pushdeploy.adapter.aws.DynamoLedger;
import dev.pushdeploy.ledger.LedgerTable;
import dev.pushdeploy.ledger.LedgerTableContract;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.World;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The ledger contract against the DynamoDB adapter on the emulator. */
@ExtendWith(EmulatorExtension.class)
class DynamoLedgerIT extends LedgerTableContract {
    World world;

    @BeforeEach
    void createStack(Emulator emulator) {
        world = World.create(emulator);
    }

    @Override
    protected LedgerTable subject() {
        return new DynamoLedger(world.dynamo, World.TABLE);
    }
}
