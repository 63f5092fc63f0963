package dev.pushdeploy.contract;

import dev.pushdeploy.adapter.aws.SdkEcsServices;
import dev.pushdeploy.rollout.EcsServices;
import dev.pushdeploy.rollout.EcsServicesContract;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.World;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The ECS service contract against the SDK adapter on the emulator. */
@ExtendWith(EmulatorExtension.class)
class SdkEcsServicesIT extends EcsServicesContract {
    World world;
    String other;

    @BeforeEach
    void createStack(Emulator emulator) {
        world = World.create(emulator);
        other = world.registerRevision2("v1.0.1");
    }

    @Override
    protected EcsServices subject() {
        return new SdkEcsServices(world.ecs);
    }

    @Override
    protected String live() {
        return world.liveTaskDefinition;
    }

    @Override
    protected String other() {
        return other;
    }
}
