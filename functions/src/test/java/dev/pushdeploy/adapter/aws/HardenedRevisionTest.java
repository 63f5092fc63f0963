package dev.pushdeploy.adapter.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.MountPoint;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.Volume;

/**
 * The template's task hardening (init process, non-root user, read-only root filesystem with a
 * writable /tmp volume) survives every revision the pipeline registers: the new revision of a
 * hardened live one is hardened the same way.
 */
class HardenedRevisionTest {
    @Test
    void aHardenedRevisionStaysHardened() {
        ContainerDefinition hardened = EcsTaskDefinitionsTest.app().toBuilder()
                .linuxParameters(l -> l.initProcessEnabled(true))
                .user("1000:1000")
                .readonlyRootFilesystem(true)
                .mountPoints(MountPoint.builder().sourceVolume("tmp").containerPath("/tmp").readOnly(false).build())
                .build();
        TaskDefinition live = EcsTaskDefinitionsTest.base().toBuilder()
                .volumes(Volume.builder().name("tmp").build())
                .containerDefinitions(hardened)
                .build();

        RegisterTaskDefinitionRequest next = EcsTaskDefinitions.registration(live, EcsTaskDefinitionsTest.CHANGE);

        ContainerDefinition app = next.containerDefinitions().get(0);
        assertEquals(EcsTaskDefinitionsTest.CHANGE.image(), app.image());
        assertEquals(true, app.linuxParameters().initProcessEnabled());
        assertEquals("1000:1000", app.user());
        assertEquals(true, app.readonlyRootFilesystem());
        assertNull(app.privileged());
        assertEquals(List.of(MountPoint.builder().sourceVolume("tmp").containerPath("/tmp").readOnly(false).build()), app.mountPoints());
        assertEquals(List.of(Volume.builder().name("tmp").build()), next.volumes());
    }
}
