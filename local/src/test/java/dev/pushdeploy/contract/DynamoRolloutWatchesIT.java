package dev.pushdeploy.contract;

import dev.pushdeploy.adapter.aws.DynamoRolloutWatches;
import dev.pushdeploy.rollout.RolloutWatches;
import dev.pushdeploy.rollout.RolloutWatchesContract;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.World;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The rollout watches' contract against the DynamoDB adapter on the emulator. */
@ExtendWith(EmulatorExtension.class)
class DynamoRolloutWatchesIT extends RolloutWatchesContract {
    World world;

    @BeforeEach
    void createStack(Emulator emulator) {
        world = World.create(emulator);
    }

    @Override
    protected RolloutWatches subject() {
        return new DynamoRolloutWatches(world.dynamo, World.TABLE);
    }
}
