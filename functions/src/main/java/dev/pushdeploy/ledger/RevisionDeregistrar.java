package dev.pushdeploy.ledger;

import dev.pushdeploy.adapter.aws.AwsCall;
import software.amazon.awssdk.services.ecs.EcsClient;

/** Deregisters task definition revisions (the one ECS write Finalize makes). */
@FunctionalInterface
public interface RevisionDeregistrar {
    void deregister(String taskDefinitionArn);

    static RevisionDeregistrar ecs(EcsClient ecs) {
        return arn -> AwsCall.exec("ecs:DeregisterTaskDefinition " + arn, () -> ecs.deregisterTaskDefinition(r -> r.taskDefinition(arn)));
    }
}
