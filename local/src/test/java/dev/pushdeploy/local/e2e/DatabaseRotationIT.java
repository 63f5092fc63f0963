package dev.pushdeploy.local.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.config.SecretSpec;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.run.RunResult;
import dev.pushdeploy.testing.PostgresLogins;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * The database secret through the real state machine: the embedded PostgreSQL of the local
 * runtime, the template's configuration (DB_PASSWORD, DB_USER, roles app_a/app_b), and logins
 * checked against the server with the values read from the slots in the emulator.
 */
class DatabaseRotationIT {

    Workflow workflow;
    SecretSpec password;

    @BeforeEach
    void freshStack() {
        workflow = new Workflow(TestRuntime.fresh());
        password = workflow.web.target().secrets().stream().filter(s -> s.kind() == SecretSpec.Kind.POSTGRES)
                .findFirst().orElseThrow(() -> new AssertionError("the local configuration has no postgres secret"));
    }

    @Test
    void theFirstReleaseLogsInAsRoleAWithSlotA() {
        Credentials live = liveCredentials();
        assertEquals("app_a", live.user());
        assertEquals(password.slotParameter("a"), live.parameter());
        assertTrue(canLogin("app_a", live.password()));
        assertEquals("sprocket", sampleRow("app_a", live.password()), "the base role's table is readable by the slot role");
        assertFalse(canLogin("app_a", live.password() + "x"), "a wrong password is refused");
    }

    @Test
    void aRotationMovesTheLoginToTheOtherRoleAndTheNextOneBack() throws IOException {
        String rotate = Files.readString(Path.of("..", "events", "manual-rotate.json"));
        Credentials first = liveCredentials();

        RunResult once = workflow.run(rotate, Scenario.HEALTHY);

        assertEquals("SUCCEEDED", once.outcome(), once.reason());
        assertTrue(once.secretsLine().contains("DB_PASSWORD a → b (DB_USER app_b)"), once.secretsLine());
        Credentials second = liveCredentials();
        assertEquals("app_b", second.user());
        assertEquals(password.slotParameter("b"), second.parameter());
        assertTrue(canLogin("app_b", second.password()), "the new role logs in with its slot's password");
        assertEquals("sprocket", sampleRow("app_b", second.password()));
        assertEquals(first.password(), slotValue("a"), "the previous slot is unchanged");
        assertTrue(canLogin("app_a", first.password()), "the previous role still logs in (old tasks keep running)");
        assertFalse(canLogin("app_b", first.password()), "a wrong password is refused");
        assertFalse(canLogin("app_a", second.password()));

        RunResult twice = workflow.run(rotate, Scenario.HEALTHY);

        assertEquals("SUCCEEDED", twice.outcome(), twice.reason());
        assertTrue(twice.secretsLine().contains("DB_PASSWORD b → a (DB_USER app_a)"), twice.secretsLine());
        Credentials third = liveCredentials();
        assertEquals("app_a", third.user());
        assertEquals(password.slotParameter("a"), third.parameter());
        assertNotEquals(first.password(), third.password());
        assertTrue(canLogin("app_a", third.password()));
        assertFalse(canLogin("app_a", first.password()), "role a's old password is gone");
        assertTrue(canLogin("app_b", second.password()), "role b keeps its password while tasks may still use it");
    }

    @Test
    void aFailedDeployLeavesTheLiveCredentialsWorking() {
        Credentials before = liveCredentials();

        RunResult result = workflow.push("v1.1.0", Scenario.CRASH_LOOP);

        assertEquals("ROLLED_BACK", result.outcome(), result.reason());
        assertEquals(workflow.web.initialTaskDefinition(), workflow.liveTaskDefinition());
        assertTrue(result.secretsLine().contains("DB_PASSWORD a → b (DB_USER app_b; rolled back, live: a)"), result.secretsLine());
        Credentials after = liveCredentials();
        assertEquals(before, after);
        assertTrue(canLogin(after.user(), slotValue("a")), "the live revision's role logs in with its slot's value");
        assertTrue(canLogin("app_b", slotValue("b")), "the rotated slot was proven too");
    }

    @Test
    void anUnreachableDatabaseFailsTheRunBeforeAnythingChanges() throws IOException {
        String configName = workflow.runtime.stack().configParameter();
        ObjectNode config = (ObjectNode) Json.tree(workflow.ssm().getParameter(r -> r.name(configName)).parameter().value());
        for (JsonNode secret : config.get("targets").get(0).get("secrets")) {
            if (secret.path("kind").asText().equals("postgres")) {
                ((ObjectNode) secret).put("port", closedPort());
            }
        }
        workflow.ssm().putParameter(r -> r.name(configName).type(ParameterType.STRING).overwrite(true).value(config.toString()));
        Credentials before = liveCredentials();

        RunResult result = workflow.run(Files.readString(Path.of("..", "events", "manual-rotate.json")), Scenario.HEALTHY);

        assertEquals("FAILED", result.outcome(), result.reason());
        assertEquals(1, result.exitCode());
        assertTrue(result.reason().contains("cannot connect"), result.reason());
        assertEquals("secrets: unchanged", result.secretsLine());
        assertFalse(workflow.lockHeld(), "lock released");
        assertEquals("FAILED", workflow.historyOf(result).get("outcome").s());
        assertEquals(List.of("FAILED"), workflow.notifiedOutcomes());
        assertEquals(workflow.web.initialTaskDefinition(), workflow.liveTaskDefinition(), "nothing deployed");
        assertEquals(1, workflow.ecs().listTaskDefinitions(r -> r.familyPrefix(workflow.web.target().service()))
                .taskDefinitionArns().size(), "no revision registered");
        assertEquals(2, workflow.web.target().secrets().size(), "the signing key is checked too");
        for (SecretSpec secret : workflow.web.target().secrets()) {
            assertThrows(ParameterNotFoundException.class, () -> workflow.ssm().getParameter(r -> r.name(secret.slotParameter("b"))),
                    "no slot written: " + secret.slotParameter("b"));
            assertEquals(1L, workflow.ssm().getParameter(r -> r.name(secret.slotParameter("a"))).parameter().version());
        }
        assertEquals(before, liveCredentials());
        assertTrue(canLogin(before.user(), before.password()));
    }

    /** What the live revision's container gets for the database: the role, the slot parameter and its value. */
    private Credentials liveCredentials() {
        String taskDefinition = workflow.liveTaskDefinition();
        ContainerDefinition container = workflow.ecs().describeTaskDefinition(r -> r.taskDefinition(taskDefinition)).taskDefinition()
                .containerDefinitions().stream().filter(c -> c.name().equals(workflow.web.target().container()))
                .findFirst().orElseThrow();
        Map<String, String> environment = container.environment().stream()
                .collect(Collectors.toMap(KeyValuePair::name, KeyValuePair::value));
        String parameter = container.secrets().stream().filter(s -> s.name().equals(password.name())).findFirst()
                .orElseThrow().valueFrom();
        String value = workflow.ssm().getParameter(r -> r.name(parameter).withDecryption(true)).parameter().value();
        return new Credentials(environment.get(password.postgres().usernameEnv()), parameter, value);
    }

    private String slotValue(String slot) {
        return workflow.ssm().getParameter(r -> r.name(password.slotParameter(slot)).withDecryption(true)).parameter().value();
    }

    private boolean canLogin(String user, String secret) {
        return PostgresLogins.canLogin(url(), user, secret);
    }

    private String sampleRow(String user, String secret) {
        try (Connection c = connect(user, secret); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM widgets WHERE id = 1")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new AssertionError("reading the sample table as " + user + " failed [SQLSTATE " + e.getSQLState() + "]", e);
        }
    }

    private Connection connect(String user, String secret) throws SQLException {
        return PostgresLogins.connect(url(), user, secret);
    }

    private String url() {
        SecretSpec.Postgres db = password.postgres();
        return "jdbc:postgresql://" + db.host() + ":" + db.port() + "/" + db.database();
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Credentials(String user, String parameter, String password) {
        @Override
        public String toString() {
            return "Credentials[" + user + ", " + parameter + "]";
        }
    }
}
