package dev.pushdeploy.secrets;

import dev.pushdeploy.adapter.aws.AwsCall;
import dev.pushdeploy.error.ConfigurationException;
import java.util.List;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Secret;

/** The secrets one container of a task definition revision references (ECS DescribeTaskDefinition). */
@FunctionalInterface
public interface LiveSecrets {
    /**
     * @throws ConfigurationException when the revision has no container of that name
     */
    List<Secret> of(String taskDefinition, String container);

    static LiveSecrets ecs(EcsClient ecs) {
        return (taskDefinition, container) -> {
            List<ContainerDefinition> containers = AwsCall.run("ecs:DescribeTaskDefinition " + taskDefinition,
                    () -> ecs.describeTaskDefinition(r -> r.taskDefinition(taskDefinition)).taskDefinition()
                            .containerDefinitions());
            return containers.stream()
                    .filter(c -> container.equals(c.name()))
                    .findFirst()
                    .map(ContainerDefinition::secrets)
                    .orElseThrow(() -> new ConfigurationException(
                            "container " + container + " is not in task definition " + taskDefinition));
        };
    }
}
