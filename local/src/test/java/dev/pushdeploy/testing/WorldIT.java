package dev.pushdeploy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmulatorExtension.class)
class WorldIT {
    @Test
    void buildsTheStackInTheEmulator(Emulator emulator) {
        World world = World.create(emulator);
        var service = world.ecs.describeServices(r -> r.cluster(World.CLUSTER).services(World.SERVICE)).services().get(0);
        assertEquals(world.liveTaskDefinition, service.taskDefinition());
        assertTrue(world.liveDigest.startsWith("sha256:"));
        assertEquals("web", world.config().targets().get(0).repository());
        String second = world.pushImage("v1.0.1");
        assertTrue(!second.equals(world.liveDigest), "each pushed manifest has its own digest");
        assertEquals(2, world.ecr.describeImages(r -> r.repositoryName(World.REPOSITORY)).imageDetails().size());
    }
}
