package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.ledger.RevisionDeregistrar;
import software.amazon.awssdk.services.ecs.EcsClient;

/** {@link RevisionDeregistrar} over ECS DeregisterTaskDefinition. */
public final class EcsRevisionDeregistrar implements RevisionDeregistrar {
    private final EcsClient ecs;

    public EcsRevisionDeregistrar(EcsClient ecs) {
        this.ecs = ecs;
    }

    @Override
    public void deregister(String taskDefinitionArn) {
        AwsCall.exec("ecs:DeregisterTaskDefinition " + taskDefinitionArn,
                () -> ecs.deregisterTaskDefinition(r -> r.taskDefinition(taskDefinitionArn)));
    }
}
