package dev.pushdeploy.contract;

import dev.pushdeploy.adapter.aws.DynamoHookRecords;
import dev.pushdeploy.rollout.HookRecords;
import dev.pushdeploy.rollout.HookRecordsContract;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.World;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The hook records' contract against the DynamoDB adapter on the emulator. */
@ExtendWith(EmulatorExtension.class)
class DynamoHookRecordsIT extends HookRecordsContract {
    World world;

    @BeforeEach
    void createStack(Emulator emulator) {
        world = World.create(emulator);
    }

    @Override
    protected HookRecords subject() {
        return new DynamoHookRecords(world.dynamo, World.TABLE);
    }
}
