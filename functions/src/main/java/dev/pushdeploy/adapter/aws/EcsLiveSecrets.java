package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.error.ConfigurationException;
import dev.pushdeploy.secrets.LiveSecrets;
import java.util.List;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Secret;

/** {@link LiveSecrets} over ECS DescribeTaskDefinition. */
public final class EcsLiveSecrets implements LiveSecrets {
    private final EcsClient ecs;

    public EcsLiveSecrets(EcsClient ecs) {
        this.ecs = ecs;
    }

    @Override
    public List<Secret> of(String taskDefinition, String container) {
        List<ContainerDefinition> containers = AwsCall.run("ecs:DescribeTaskDefinition " + taskDefinition,
                () -> ecs.describeTaskDefinition(r -> r.taskDefinition(taskDefinition)).taskDefinition()
                        .containerDefinitions());
        return containers.stream()
                .filter(c -> container.equals(c.name()))
                .findFirst()
                .map(ContainerDefinition::secrets)
                .orElseThrow(() -> new ConfigurationException(
                        "container " + container + " is not in task definition " + taskDefinition));
    }
}
