package dev.pushdeploy.secrets;

import dev.pushdeploy.error.ConfigurationException;
import java.util.List;
import software.amazon.awssdk.services.ecs.model.Secret;

/** The secrets one container of a task definition revision references (ECS DescribeTaskDefinition). */
@FunctionalInterface
public interface LiveSecrets {
    /**
     * @throws ConfigurationException when the revision has no container of that name
     */
    List<Secret> of(String taskDefinition, String container);
}
