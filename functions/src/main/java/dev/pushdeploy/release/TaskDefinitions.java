package dev.pushdeploy.release;

import java.util.List;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;

/** The ECS task-definition calls the release step uses. */
public interface TaskDefinitions {
    /** DescribeTaskDefinition with its tags. */
    Revision describe(String taskDefinition);

    /** ARNs of the newest ACTIVE revisions of exactly {@code family}, newest first, at most {@code count}. */
    List<String> newest(String family, int count);

    TaskDefinition register(RegisterTaskDefinitionRequest request);
}
