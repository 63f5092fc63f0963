package dev.pushdeploy.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.ops.Json;
import dev.pushdeploy.adapter.json.JsonLogLines;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.RotationResult;
import dev.pushdeploy.model.SecretSlot;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.World;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterMetadata;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * RotateSecrets against the emulator, through the handler's real wiring (no-arg constructor,
 * clients from {@code aws.endpointUrl}). {@code events/rotate-secrets.json} runs as it is: its
 * names, ARNs and digests are the World's (moto's are deterministic).
 */
@ExtendWith(EmulatorExtension.class)
class RotateSecretsHandlerIT {
    static final String KEY = World.SIGNING_KEY_PARAMETER;
    World world;

    @BeforeEach
    void setUp(Emulator emulator) {
        world = World.create(emulator);
        useEmulator(emulator);
    }

    @Test
    void theSampleEventRotatesTheInactiveSlotOnly() throws IOException {
        byte[] event = Files.readAllBytes(Path.of("..", "events", "rotate-secrets.json"));
        assertEquals(world.repositoryUri + "@" + world.liveDigest,
                Json.tree(new String(event, StandardCharsets.UTF_8)).at("/request/previousImage").asText(),
                "the sample event describes the World's live revision");

        Invocation run = invoke(event);

        RotationResult result = Json.read(run.output(), RotationResult.class);
        assertEquals(List.of(new SecretSlot("APP_SIGNING_KEY", "b", KEY + "/b", 1L, null, null)), result.secrets());
        Parameter written = parameter(KEY + "/b");
        assertEquals(1L, written.version());
        assertTrue(written.value().matches("[A-Za-z0-9_-]{48}"));
        ParameterMetadata meta = metadata(KEY + "/b");
        assertEquals(ParameterType.SECURE_STRING, meta.type());
        assertEquals(World.KMS_KEY, meta.keyId());
        Parameter live = parameter(KEY + "/a");
        assertEquals(1L, live.version(), "live slot never written");
        assertEquals("initial-signing-key-value-slot-a", live.value());
        assertTrue(run.log().contains("\"message\":\"secret rotated\"") && run.log().contains("\"service\":\"pushdeploy/web\""),
                run.log());
        assertFalse(run.log().contains(written.value()), "value in the log");
        assertFalse(run.output().contains(written.value()), "value in the output");
    }

    @Test
    void aRetryWritesANewVersionOfTheSameSlot() throws IOException {
        byte[] event = Files.readAllBytes(Path.of("..", "events", "rotate-secrets.json"));
        invoke(event);
        String first = parameter(KEY + "/b").value();

        invoke(event);

        Parameter again = parameter(KEY + "/b");
        assertEquals(2L, again.version());
        assertFalse(first.equals(again.value()));
        assertEquals(1L, parameter(KEY + "/a").version());
    }

    @Test
    void afterARolloutToSlotBTheNextRotationWritesSlotA() {
        TaskDefinition revision1 = world.ecs.describeTaskDefinition(r -> r.taskDefinition(world.liveTaskDefinition)).taskDefinition();
        ContainerDefinition app = revision1.containerDefinitions().get(0).toBuilder()
                .secrets(s -> s.name("APP_SIGNING_KEY").valueFrom("arn:aws:ssm:us-east-1:" + Emulator.ACCOUNT + ":parameter" + KEY + "/b"))
                .build();
        String revision2 = world.ecs.registerTaskDefinition(r -> r.family("web").networkMode(revision1.networkMode())
                .requiresCompatibilities(revision1.requiresCompatibilities()).cpu("256").memory("512")
                .containerDefinitions(app)).taskDefinition().taskDefinitionArn();
        world.ssm.putParameter(r -> r.name(KEY + "/b").type(ParameterType.SECURE_STRING).value("live-value-in-slot-b"));
        world.ecs.updateService(r -> r.cluster("pushdeploy").service("web").taskDefinition(revision2));
        DeployRequest rotate = Json.read("""
                {"requestId": "rotate-1", "action": "ROTATE", "source": "manual", "cluster": "pushdeploy", "service": "web",
                 "container": "app", "previousTaskDefinition": "%s", "decision": "PROCEED", "rotate": true, "register": true}
                """.formatted(revision2), DeployRequest.class);
        List<String> lines = new ArrayList<>();

        RotationResult result = new RotateSecretsHandler().apply(new RotateSecretsHandler.Input(rotate, 0), StepLog.to(JsonLogLines.to(lines::add), "t"));

        assertEquals("a", result.secrets().get(0).slot());
        assertEquals(2L, parameter(KEY + "/a").version());
        assertFalse(parameter(KEY + "/a").value().equals("initial-signing-key-value-slot-a"));
        assertEquals("live-value-in-slot-b", parameter(KEY + "/b").value());
        assertEquals(1L, parameter(KEY + "/b").version());
    }

    /** The handler's stdout (its log, when there is no Lambda context) and its JSON answer. */
    record Invocation(String output, String log) {
    }

    static Invocation invoke(byte[] event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        try {
            new RotateSecretsHandler().handleRequest(new ByteArrayInputStream(event), out, null);
        } finally {
            System.setOut(original);
        }
        return new Invocation(out.toString(StandardCharsets.UTF_8), stdout.toString(StandardCharsets.UTF_8));
    }

    private Parameter parameter(String name) {
        return world.ssm.getParameter(r -> r.name(name).withDecryption(true)).parameter();
    }

    private ParameterMetadata metadata(String name) {
        return world.ssm.describeParameters(r -> r.parameterFilters(f -> f.key("Name").values(name))).parameters().get(0);
    }

    /** What the template gives the function, as system properties (read by Env and the SDK). */
    static void useEmulator(Emulator emulator) {
        System.setProperty("aws.endpointUrl", emulator.endpoint().toString());
        System.setProperty("aws.region", Emulator.REGION);
        System.setProperty("aws.accessKeyId", "testing");
        System.setProperty("aws.secretAccessKey", "testing");
        System.setProperty(Env.CONFIG_PARAMETER, World.CONFIG_PARAMETER);
    }
}
