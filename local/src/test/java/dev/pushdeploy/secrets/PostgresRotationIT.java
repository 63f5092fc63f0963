package dev.pushdeploy.secrets;

import dev.pushdeploy.adapter.aws.SdkEcsServices;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.adapter.aws.SsmSlotStore;
import dev.pushdeploy.adapter.postgres.PostgresRoles;
import dev.pushdeploy.model.RotationResult;
import dev.pushdeploy.model.SecretSlot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.error.RotationFailedException;
import dev.pushdeploy.adapter.json.JsonLogLines;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.TaskDefinition;
import dev.pushdeploy.release.InMemoryTaskDefinitions;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.World;
import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterMetadata;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * The postgres secret kind against a real PostgreSQL that enforces password authentication
 * ({@link PasswordPostgres}) and SSM in the emulator: roles {@code app_a}/{@code app_b}, master
 * credentials from a SecureString, slots written only after the login proof.
 */
@ExtendWith(EmulatorExtension.class)
class PostgresRotationIT {
    static final String SLOTS = "/pushdeploy/web/db";
    static final String MASTER_PARAMETER = "/pushdeploy/web/db-master";
    static final PasswordPostgres DB = PasswordPostgres.get();

    World world;
    int port = DB.port();
    final InMemoryTaskDefinitions taskDefinitions = new InMemoryTaskDefinitions();
    final List<String> logLines = new ArrayList<>();
    final StepLog log = StepLog.to(JsonLogLines.to(logLines::add), "RotateSecrets");

    @BeforeEach
    void setUp(Emulator emulator) {
        DB.execute("DROP ROLE IF EXISTS app_a", "DROP ROLE IF EXISTS app_b", "DROP ROLE IF EXISTS reporting");
        world = World.create(emulator, config(DB.port(), MASTER_PARAMETER));
        putMaster(PasswordPostgres.MASTER, PasswordPostgres.MASTER_PASSWORD);
        live(Map.of());
    }

    @Test
    void firstRotationCreatesRoleAWhosePasswordLogsInAndOnlyThatPassword() throws SQLException {
        RotationResult result = rotate();

        assertEquals(List.of(new SecretSlot("DB_PASSWORD", "a", SLOTS + "/a", 1L, "DB_USER", "app_a")), result.secrets());
        String password = slot("a").value();
        assertTrue(DB.canLogin("app_a", password));
        assertFalse(DB.canLogin("app_a", password + "x"), "password authentication is enforced");
        assertFalse(DB.canLogin("app_a", "wrong"), "a wrong password is refused");
        assertEquals("sprocket", readWidget("app_a", password), "the slot role has the base role's privileges");
        assertSecureSlot("a");
        assertThrows(ParameterNotFoundException.class, () -> slot("b"), "only one slot was written");
    }

    @Test
    void rotationsAlternateRolesAndNeverTouchTheLiveOne() throws SQLException {
        rotate();
        String passwordA = slot("a").value();
        goLive("a");

        RotationResult second = rotate();

        assertEquals("app_b", second.secrets().get(0).username());
        assertEquals(SLOTS + "/b", second.secrets().get(0).parameter());
        String passwordB = slot("b").value();
        assertTrue(DB.canLogin("app_b", passwordB), "the rotated role logs in with its new password");
        assertTrue(DB.canLogin("app_a", passwordA), "the live role still logs in with its old password");
        assertFalse(DB.canLogin("app_b", passwordA));
        assertEquals(1L, slot("a").version(), "live slot unchanged");
        assertEquals("sprocket", readWidget("app_b", passwordB));
        goLive("b");

        RotationResult third = rotate();

        assertEquals("app_a", third.secrets().get(0).username());
        String newPasswordA = slot("a").value();
        assertEquals(2L, slot("a").version());
        assertTrue(DB.canLogin("app_a", newPasswordA));
        assertFalse(DB.canLogin("app_a", passwordA), "the rotated role's old password no longer works");
        assertTrue(DB.canLogin("app_b", passwordB), "the live role is untouched");
        assertEquals(1L, slot("b").version());
    }

    @Test
    void whatOneSlotCreatesBelongsToTheBaseRoleSoTheOtherSlotCanUseIt() throws SQLException {
        rotate();
        String passwordA = slot("a").value();
        try (Connection asA = DB.connect("app_a", passwordA); Statement s = asA.createStatement()) {
            s.execute("DROP TABLE IF EXISTS gadgets");
            s.execute("CREATE TABLE gadgets (id int)");
            s.execute("INSERT INTO gadgets VALUES (7)");
        }
        goLive("a");

        rotate();

        try (Connection asB = DB.connect("app_b", slot("b").value()); Statement s = asB.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT id FROM gadgets), (SELECT tableowner FROM pg_tables WHERE tablename = 'gadgets')")) {
            rs.next();
            assertEquals(7, rs.getInt(1), "the other slot reads what the first one created");
            assertEquals("app", rs.getString(2));
        }
    }

    @Test
    void theInactiveRoleGetsTheLiveRolesMemberships() throws SQLException {
        DB.execute("CREATE ROLE app_a LOGIN PASSWORD 'live-a-password'", "GRANT app TO app_a",
                "CREATE ROLE reporting NOLOGIN", "GRANT reporting TO app_a");
        goLive("a");

        rotate();

        try (Connection c = DB.superuser(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT string_agg(g.rolname, ',' ORDER BY g.rolname) FROM pg_auth_members m
                       JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
                      WHERE u.rolname = 'app_b'""")) {
            rs.next();
            assertEquals("app,reporting", rs.getString(1));
        }
        assertTrue(DB.canLogin("app_a", "live-a-password"), "live role untouched");
        assertTrue(DB.canLogin("app_b", slot("b").value()));
    }

    @Test
    void aRetryAfterTheRoleExistsConverges() {
        rotate();
        RotationResult retry = rotate();

        assertEquals("a", retry.secrets().get(0).slot());
        assertEquals(2L, slot("a").version());
        assertTrue(DB.canLogin("app_a", slot("a").value()));
    }

    /**
     * The role's new password is set and proven on the database, then Parameter Store refuses the slot: the step fails
     * and the role logs in again with what its slot holds, the value the revisions that read it start with.
     */
    @Test
    void aSlotParameterStoreRefusesLeavesTheRoleOnTheSlotsPassword() {
        rotate();
        String kept = slot("a").value();
        SlotStore refusing = new RefusingSlotStore(new SsmSlotStore(world.ssm), parameter -> true);

        assertThrows(AwsFailureException.class, () -> rotate(refusing));

        assertEquals(1L, slot("a").version(), "the slot was not written");
        assertTrue(DB.canLogin("app_a", kept), "the role logs in with its slot's value again");
    }

    @Test
    void unreachableDatabaseFailsTheRotationAndWritesNoSlot() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        port = closedPort;

        RotationFailedException e = assertThrows(RotationFailedException.class, this::rotate);

        assertTrue(e.getMessage().startsWith("cannot connect to postgresql://localhost:" + closedPort + "/appdb as master user"),
                e.getMessage());
        assertThrows(ParameterNotFoundException.class, () -> slot("a"));
        assertFalse(e.getMessage().contains(PasswordPostgres.MASTER_PASSWORD));
    }

    @Test
    void wrongMasterPasswordFailsTheRotationAndWritesNoSlot() {
        putMaster(PasswordPostgres.MASTER, "not-the-master-password");

        RotationFailedException e = assertThrows(RotationFailedException.class, this::rotate);

        assertTrue(e.getMessage().contains("password authentication failed"), e.getMessage());
        assertThrows(ParameterNotFoundException.class, () -> slot("a"));
    }

    @Test
    void aFailedLoginProofWritesNoSlot() {
        DB.execute("CREATE ROLE app_a NOLOGIN");

        RotationFailedException e = assertThrows(RotationFailedException.class, this::rotate);

        assertTrue(e.getMessage().startsWith("cannot connect to postgresql://localhost:" + DB.port()
                + "/appdb as role app_a with the new password"), e.getMessage());
        assertThrows(ParameterNotFoundException.class, () -> slot("a"));
    }

    @Test
    void passwordsNeverReachLogsOrOutputs() {
        RotationResult first = rotate();
        goLive("a");
        RotationResult second = rotate();

        String everything = String.join("", logLines) + Json.write(first) + Json.write(second);
        assertTrue(everything.contains("app_b") && everything.contains(SLOTS + "/b"), everything);
        String serverLog = DB.serverLog();
        assertTrue(serverLog.contains("ALTER USER \"app_b\" PASSWORD 'SCRAM-SHA-256$"),
                "the server received a SCRAM verifier, not the password");
        for (String secret : List.of(slot("a").value(), slot("b").value(), PasswordPostgres.MASTER_PASSWORD)) {
            assertFalse(everything.contains(secret), "a password reached the step log or output");
            assertFalse(serverLog.contains(secret), "a password reached the database server's log");
        }
        putMaster(PasswordPostgres.MASTER, "wrong-master-password");
        RotationFailedException e = assertThrows(RotationFailedException.class, this::rotate);
        assertFalse(e.getMessage().contains("wrong-master-password"));
        assertFalse(String.valueOf(e.getCause()).contains("wrong-master-password"));
    }

    private RotationResult rotate() {
        return rotate(new SsmSlotStore(world.ssm));
    }

    private RotationResult rotate(SlotStore store) {
        SecretRotator rotator = new SecretRotator(ConfigSource.of(ConfigParser.parse(config(port, MASTER_PARAMETER))), taskDefinitions,
                store, new PostgresRoles(2), new SdkEcsServices(world.ecs));
        return rotator.rotate(Requests.deploy("req-" + System.nanoTime(), world.liveTaskDefinition), log);
    }

    private void goLive(String slot) {
        live(Map.of("DB_PASSWORD", SLOTS + "/" + slot));
    }

    /** The live revision's container references {@code secrets}. */
    private void live(Map<String, String> secrets) {
        String arn = world.liveTaskDefinition;
        taskDefinitions.put(new TaskDefinition(arn, Revisions.family(arn), Revisions.revision(arn), true, "256", "512",
                List.of(new TaskDefinition.Container(World.CONTAINER, "web@sha256:" + "1".repeat(64), true, Map.of(), secrets)),
                Map.of()));
    }

    private Parameter slot(String slot) {
        return world.ssm.getParameter(r -> r.name(SLOTS + "/" + slot).withDecryption(true)).parameter();
    }

    private void assertSecureSlot(String slot) {
        ParameterMetadata meta = world.ssm.describeParameters(r -> r.parameterFilters(f -> f.key("Name").values(SLOTS + "/" + slot)))
                .parameters().get(0);
        assertEquals(ParameterType.SECURE_STRING, meta.type());
        assertEquals(World.KMS_KEY, meta.keyId());
    }

    private void putMaster(String username, String password) {
        world.ssm.putParameter(r -> r.name(MASTER_PARAMETER).type(ParameterType.SECURE_STRING).overwrite(true)
                .value("{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}"));
    }

    private static String readWidget(String user, String password) throws SQLException {
        try (Connection c = DB.connect(user, password); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM widgets WHERE id = 1")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String config(int port, String masterParameter) {
        return """
                {"kmsKeyId": "%s",
                 "targets": [{"repository": "web", "cluster": "pushdeploy", "service": "web", "container": "app",
                   "secrets": [{"name": "DB_PASSWORD", "kind": "postgres", "parameter": "%s", "length": 40,
                     "host": "localhost", "port": %d, "database": "appdb", "role": "app", "usernameEnv": "DB_USER",
                     "masterParameter": "%s"}]}]}
                """.formatted(World.KMS_KEY, SLOTS, port, masterParameter);
    }
}
