package dev.pushdeploy.rollout;

import dev.pushdeploy.release.InMemoryTaskDefinitions;

class FakeEcsServicesTest extends EcsServicesContract {
    private final FakeEcsServices fake = new FakeEcsServices(CLUSTER, SERVICE, live(), false);

    @Override
    protected EcsServices subject() {
        return fake;
    }

    @Override
    protected String live() {
        return InMemoryTaskDefinitions.arn("web", 1);
    }

    @Override
    protected String other() {
        return InMemoryTaskDefinitions.arn("web", 2);
    }
}
