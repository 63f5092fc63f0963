package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.SdkEcsServices;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.rollout.RolloutFixtures;
import dev.pushdeploy.testing.World;
import java.time.Clock;

/** World's service moved onto its revision 2 (image v1.0.1), as the rollout and rollback ITs begin. */
final class Revision2 {
    private Revision2() {
    }

    /** Registers revision 2 and starts its deployment with StartDeployment on {@code clock}; answers the rollout. */
    static Rollout started(World world, Clock clock) {
        String revision = world.registerRevision2("v1.0.1");
        return new StartDeploymentHandler(new SdkEcsServices(world.ecs), request -> true, clock)
                .apply(new StartDeploymentHandler.Input(RolloutFixtures.request(world.liveTaskDefinition, 600),
                        new Release(revision, "web", 2, world.repositoryUri + "@sha256:" + "0".repeat(64), true)),
                        RolloutFixtures.log(RolloutFixtures.lines()));
    }
}
