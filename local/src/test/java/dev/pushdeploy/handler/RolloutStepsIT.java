package dev.pushdeploy.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.adapter.aws.DynamoLedger;
import dev.pushdeploy.ledger.LockItem;
import dev.pushdeploy.model.Action;
import java.time.Instant;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The three rollout steps as Lambda runs them: no-arg constructors (real client wiring, the
 * SDK's standard endpoint override, CONFIG_PARAMETER), JSON in and out, each step's output put
 * into the state document at its README path, like the state machine does.
 */
@ExtendWith(EmulatorExtension.class)
class RolloutStepsIT {
    private final List<String> setProperties = new ArrayList<>();

    private void property(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
            setProperties.add(name);
        }
    }

    @AfterEach
    void clearProperties() {
        setProperties.forEach(System::clearProperty);
    }

    private static JsonNode invoke(RequestStreamHandler handler, JsonNode state) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(state.toString().getBytes(StandardCharsets.UTF_8)), out, null);
        return Json.tree(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void startCheckAndRollBackThroughTheProductionWiring(Emulator emulator) throws IOException {
        for (Map.Entry<String, String> p : Map.of("aws.endpointUrl", emulator.endpoint().toString(),
                "aws.region", Emulator.REGION, "aws.accessKeyId", "testing", "aws.secretAccessKey", "testing",
                Env.CONFIG_PARAMETER, World.CONFIG_PARAMETER, Env.TABLE_NAME, World.TABLE).entrySet()) {
            property(p.getKey(), p.getValue());
        }
        World world = World.create(emulator);
        ObjectNode state = (ObjectNode) Json.tree(Files.readString(Path.of("..", "events", "start-deployment.json")));
        String holder = state.path("request").path("requestId").asText();
        new DynamoLedger(world.dynamo, World.TABLE).tryLock("pushdeploy/web", new LockItem(holder, null, Action.DEPLOY,
                null, null, 1, 1, 1, Instant.now().getEpochSecond() + 3600), Instant.now().getEpochSecond(), null);
        String revision = world.registerRevision2("v1.0.1");

        state.set("rollout", invoke(new StartDeploymentHandler(), state));
        assertEquals(revision, world.serviceTaskDefinition());

        state.set("check", invoke(new CheckDeploymentHandler(), state));
        assertEquals("IN_PROGRESS", state.path("check").path("verdict").asText(), state.path("check").toString());
        assertTrue(state.path("check").path("nextPollSeconds").asInt() >= 3, state.path("check").toString());

        state.set("rollback", invoke(new RollbackHandler(), state));
        assertEquals(world.liveTaskDefinition, world.serviceTaskDefinition());
        assertTrue(state.path("rollback").path("started").asBoolean());

        ObjectNode checkRollback = state.deepCopy();
        checkRollback.set("rollout", state.path("rollback"));
        JsonNode rollbackCheck = invoke(new CheckDeploymentHandler(), checkRollback);
        assertEquals("IN_PROGRESS", rollbackCheck.path("verdict").asText(), rollbackCheck.toString());
        assertTrue(rollbackCheck.path("reason").asText().contains("web:1"), rollbackCheck.toString());
    }
}
