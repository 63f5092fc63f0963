package dev.pushdeploy.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.adapter.json.JsonLogLines;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.SecretSpec;
import dev.pushdeploy.error.RotationFailedException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.release.InMemoryTaskDefinitions;
import dev.pushdeploy.rollout.FakeEcsServices;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A database role whose password was changed by a rotation that then failed inside the role rotation itself
 * (the login proof, or the answer to the ALTER ROLE lost to the socket timeout) is set back to its slot's value.
 *
 * <p>{@link dev.pushdeploy.adapter.postgres.PostgresRoles} sets the password on a connection in JDBC's default
 * auto-commit mode and only then proves a login. Java SE's {@code java.sql.Connection#setAutoCommit}
 * (https://docs.oracle.com/en/java/javase/21/docs/api/java.sql/java/sql/Connection.html#setAutoCommit(boolean)):
 * "If a connection is in auto-commit mode, then all its SQL statements will be executed and committed as individual
 * transactions. [...] By default, new connections are in auto-commit mode." So when the proof fails the new password
 * is already committed. And when the ALTER ROLE's answer does not come back within {@code socketTimeout} the driver
 * closes the connection while the server still runs it; Amazon RDS's "Dead connection handling in PostgreSQL"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Appendix.PostgreSQL.CommonDBATasks.DeadConnectionHandling.html):
 * "PostgreSQL efficiently identifies and cleans up dead connections when server processes are idle or attempt to send
 * data to clients. However, detection is challenging for sessions that are idle, waiting for client input, or actively
 * running queries." — the statement commits after the client gave up.
 *
 * <p>docs/design.md promises "a step that fails after a role's password changed sets it back to what the slot holds,
 * so role and slot always agree"; {@link SecretRotator} set back only roles whose {@link RoleRotator#rotate} returned.
 * The step's failure is a {@link RotationFailedException}, which the state machine does not retry (MaxAttempts 0):
 * the run ended FailedBeforeDeployment with role {@code app_a} on a password no slot holds, while slot {@code a} still
 * held the value the previous release (web:6) reads: a rollback to web:6 would start tasks that cannot log in.
 */
class RoleSetBackTest {
    static final String LIVE = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7";
    static final String DB = "/pushdeploy/web/db";
    static final String MASTER = "/pushdeploy/web/db-master";
    static final String CONFIG = """
            {"kmsKeyId": "alias/pushdeploy",
             "targets": [{"repository": "web", "cluster": "pushdeploy", "service": "web", "container": "app",
               "secrets": [
                 {"name": "DB_PASSWORD", "kind": "postgres", "parameter": "/pushdeploy/web/db", "length": 32,
                  "host": "db.internal", "database": "app", "role": "app", "usernameEnv": "DB_USER",
                  "masterParameter": "/pushdeploy/web/db-master"}]}]}
            """;

    final InMemorySlotStore store = new InMemorySlotStore()
            .put(DB + "/a", "the-value-web-6-ran-with")
            .put(DB + "/b", "the-value-web-7-runs-with")
            .put(MASTER, "{\"username\":\"master\",\"password\":\"master-password\"}");
    final InMemoryTaskDefinitions taskDefinitions = SecretRotatorTest.revision(new InMemoryTaskDefinitions(), 7, "app",
            Map.of("DB_PASSWORD", DB + "/b"));
    final List<String> logLines = new ArrayList<>();
    final StepLog log = StepLog.to(JsonLogLines.to(logLines::add), "RotateSecrets");

    /** The database's roles and their passwords, as ALTER ROLE left them (committed: auto-commit). */
    final Map<String, String> database = new HashMap<>(Map.of(
            "app_a", "the-value-web-6-ran-with",
            "app_b", "the-value-web-7-runs-with"));

    @Test
    void aRoleWhosePasswordChangedBeforeItsLoginProofFailedIsSetBackToItsSlot() {
        // PostgresRoles' order: ALTER ROLE (committed), then a login with the new password on a fresh connection,
        // which fails (too many connections, the proof's connect or query timing out, the network).
        RoleRotator roles = (db, master, liveRole, role, password) -> {
            database.put(role, password.reveal());
            throw new RotationFailedException("login proof for role " + role + " on postgresql://db.internal:5432/app failed:"
                    + " FATAL: sorry, too many clients already [SQLSTATE 53300]");
        };
        SecretRotator rotator = new SecretRotator(ConfigSource.of(ConfigParser.parse(CONFIG)), taskDefinitions, store, roles,
                (cluster, service) -> new FakeEcsServices(LIVE, false).describe(cluster, service));

        assertThrows(RotationFailedException.class, () -> rotator.rotate(Requests.deploy("req-1", LIVE), log));

        assertEquals(store.latest(DB + "/a"), database.get("app_a"),
                "the step failed after role app_a's password had changed, yet the role was not set back to what slot "
                        + DB + "/a holds (the value web:6 reads): role and slot disagree and a rollback to web:6 cannot"
                        + " log in; log: " + logLines);
    }
}
