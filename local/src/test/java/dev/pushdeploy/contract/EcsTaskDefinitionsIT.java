package dev.pushdeploy.contract;

import dev.pushdeploy.adapter.aws.EcsTaskDefinitions;
import dev.pushdeploy.release.TaskDefinitions;
import dev.pushdeploy.release.TaskDefinitionsContract;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.Secret;

/** The task-definition contract against the ECS adapter on the emulator. */
@ExtendWith(EmulatorExtension.class)
class EcsTaskDefinitionsIT extends TaskDefinitionsContract {
    EcsClient ecs;

    @BeforeEach
    void connect(Emulator emulator) {
        ecs = emulator.client(EcsClient.builder());
    }

    @Override
    protected TaskDefinitions subject() {
        return new EcsTaskDefinitions(ecs);
    }

    @Override
    protected String seed(String family, String container, String image, Map<String, String> secrets) {
        return ecs.registerTaskDefinition(r -> r.family(family)
                        .networkMode(NetworkMode.AWSVPC)
                        .requiresCompatibilities(Compatibility.FARGATE)
                        .cpu("256").memory("512")
                        .containerDefinitions(c -> c.name(container).image(image).essential(true)
                                .secrets(secrets.entrySet().stream()
                                        .map(s -> Secret.builder().name(s.getKey()).valueFrom(s.getValue()).build()).toList())))
                .taskDefinition().taskDefinitionArn();
    }

    /** moto deletes at once, as ECS does a revision nothing uses. */
    @Override
    protected void delete(String arn) {
        ecs.deleteTaskDefinitions(r -> r.taskDefinitions(arn));
    }
}
