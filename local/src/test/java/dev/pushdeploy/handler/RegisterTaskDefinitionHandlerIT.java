package dev.pushdeploy.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.ops.Json;
import dev.pushdeploy.adapter.json.JsonLogLines;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.RotationResult;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.World;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionField;

/**
 * RegisterTaskDefinition against the emulator through the handler's real wiring;
 * {@code events/register-task-definition.json} runs as it is (World names, moto's deterministic
 * ARNs and digests; its {@code $.secrets} says slot b was rotated).
 */
@ExtendWith(EmulatorExtension.class)
class RegisterTaskDefinitionHandlerIT {
    static final String EXECUTION = "3f1c9a52-6d2e-4b8f-a1c4-7e9d0b2f5a63";
    World world;
    String image;

    @BeforeEach
    void setUp(Emulator emulator) {
        world = World.create(emulator);
        RotateSecretsHandlerIT.useEmulator(emulator);
        image = world.repositoryUri + "@" + world.pushImage("v1.0.1");
    }

    @Test
    void theSampleEventRegistersTheNextRevision() throws IOException {
        String event = Files.readString(Path.of("..", "events", "register-task-definition.json"));
        assertEquals(image, Json.tree(event).at("/request/image").asText(), "the sample event deploys the World's v1.0.1");

        Release release = Json.read(invoke(event), Release.class);

        String arn = "arn:aws:ecs:us-east-1:" + Emulator.ACCOUNT + ":task-definition/web:2";
        assertEquals(new Release(arn, "web", 2, image, true), release);
        DescribeTaskDefinitionResponse registered = world.ecs.describeTaskDefinition(r -> r.taskDefinition(arn)
                .include(TaskDefinitionField.TAGS));
        ContainerDefinition app = registered.taskDefinition().containerDefinitions().get(0);
        assertEquals(image, app.image());
        assertEquals(Map.of("APP_SIGNING_KEY", World.SIGNING_KEY_PARAMETER + "/b"),
                app.secrets().stream().collect(Collectors.toMap(s -> s.name(), s -> s.valueFrom())));
        assertEquals(Map.of("PORT", "8080", "PUSHDEPLOY_RELEASE", EXECUTION, "PUSHDEPLOY_IMAGE", image), env(app));
        assertEquals(Map.of("pushdeploy:request-id", EXECUTION,
                        "pushdeploy:image-digest", image.substring(image.indexOf('@') + 1),
                        "pushdeploy:reason", "ECR push web:v1.0.1",
                        "pushdeploy:derived-from", "arn:aws:ecs:us-east-1:" + Emulator.ACCOUNT + ":task-definition/web:1"),
                registered.tags().stream().collect(Collectors.toMap(Tag::key, Tag::value)));
        assertEquals(NetworkMode.AWSVPC, registered.taskDefinition().networkMode());
        assertEquals(List.of(Compatibility.FARGATE), registered.taskDefinition().requiresCompatibilities());
        assertEquals("256", registered.taskDefinition().cpu());
        assertEquals("arn:aws:iam::" + Emulator.ACCOUNT + ":role/web-execution", registered.taskDefinition().executionRoleArn());
        assertEquals("arn:aws:iam::" + Emulator.ACCOUNT + ":role/web-task", registered.taskDefinition().taskRoleArn());
        assertEquals(world.liveTaskDefinition, world.ecs.describeServices(r -> r.cluster(World.CLUSTER).services(World.SERVICE))
                .services().get(0).taskDefinition(), "registering does not touch the service");
    }

    @Test
    void theSameRequestTwiceReturnsTheSameRevision() throws IOException {
        String event = Files.readString(Path.of("..", "events", "register-task-definition.json"));
        world.ecs.registerTaskDefinition(r -> r.family("web-worker")
                .containerDefinitions(c -> c.name("worker").image(image).memory(256)));

        Release first = Json.read(invoke(event), Release.class);
        Release second = Json.read(invoke(event), Release.class);

        assertEquals(first.taskDefinition(), second.taskDefinition());
        assertTrue(first.created());
        assertFalse(second.created());
        assertEquals(image, second.image());
        assertEquals(List.of("arn:aws:ecs:us-east-1:" + Emulator.ACCOUNT + ":task-definition/web:1", first.taskDefinition()),
                world.ecs.listTaskDefinitions(r -> r.familyPrefix("web")).taskDefinitionArns().stream()
                        .filter(a -> a.contains("task-definition/web:")).sorted().toList(),
                "exactly one new revision of the family");
    }

    @Test
    void aRotationRunsThroughBothStepsWithTheLiveImage() {
        DeployRequest rotate = Json.read("""
                {"requestId": "rotate-2026-01-02", "action": "ROTATE", "source": "manual", "cluster": "pushdeploy",
                 "service": "web", "container": "app", "previousTaskDefinition": "%s", "decision": "PROCEED",
                 "rotate": true, "register": true, "reason": "monthly rotation"}
                """.formatted(world.liveTaskDefinition), DeployRequest.class);
        List<String> lines = new ArrayList<>();

        RotationResult secrets = new RotateSecretsHandler()
                .apply(new RotateSecretsHandler.Input(rotate, 0), StepLog.to(JsonLogLines.to(lines::add), "RotateSecrets"));
        Release release = new RegisterTaskDefinitionHandler()
                .apply(new RegisterTaskDefinitionHandler.Input(rotate, secrets), StepLog.to(JsonLogLines.to(lines::add), "RegisterTaskDefinition"));

        String live = world.repositoryUri + "@" + world.liveDigest;
        assertEquals(live, release.image());
        ContainerDefinition app = world.ecs.describeTaskDefinition(r -> r.taskDefinition(release.taskDefinition()))
                .taskDefinition().containerDefinitions().get(0);
        assertEquals(live, app.image());
        assertEquals(World.SIGNING_KEY_PARAMETER + "/b", app.secrets().get(0).valueFrom());
        assertEquals("rotate-2026-01-02", env(app).get("PUSHDEPLOY_RELEASE"));
        String value = world.ssm.getParameter(r -> r.name(World.SIGNING_KEY_PARAMETER + "/b").withDecryption(true))
                .parameter().value();
        assertFalse(String.join("", lines).contains(value));
    }

    private static String invoke(String event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new RegisterTaskDefinitionHandler().handleRequest(
                new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Map<String, String> env(ContainerDefinition container) {
        return container.environment().stream().collect(Collectors.toMap(KeyValuePair::name, KeyValuePair::value));
    }
}
