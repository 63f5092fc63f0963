package dev.pushdeploy.adapter.postgres;

import dev.pushdeploy.secrets.MasterCredentials;
import dev.pushdeploy.secrets.RoleRotator;
import dev.pushdeploy.secrets.SecretValue;
import dev.pushdeploy.adapter.aws.CallDeadline;
import dev.pushdeploy.adapter.aws.Priming;
import dev.pushdeploy.config.SecretSpec;
import dev.pushdeploy.error.RotationFailedException;
import dev.pushdeploy.error.TransientException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.LinkedHashSet;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.postgresql.Driver;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;

/**
 * The alternating-users rotation on PostgreSQL, over JDBC.
 *
 * <p>Grants model: the configured base role ({@code <role>}, NOLOGIN, created if missing) owns
 * the application's objects; the slot roles {@code <role>_a} and {@code <role>_b} are LOGIN
 * roles that are members of it, and their sessions start as the base role
 * ({@code ALTER ROLE … SET role}), so what either slot creates belongs to the base role and stays
 * usable after the next rotation. When the inactive role is prepared it is granted every role
 * the live slot role is a member of, plus the base role. Grants are only ever added, so a
 * membership added to the live role later reaches the other one on its next rotation; nothing
 * is revoked. Other role attributes are not copied.
 *
 * <p>Order (so that a crash anywhere leaves the live role untouched and a retry converges):
 * create the inactive role if missing and copy memberships; set its password; prove a login
 * with it on a fresh connection. The caller stores the slot only after this returns. The
 * password is sent as a SCRAM/MD5 verifier computed by the driver
 * ({@link PGConnection#alterUserPassword}), so the plain text is neither in the statement nor in
 * server logs; server error detail is kept out of exception messages.
 *
 * <p>Every connection and statement is bounded by the invocation's deadline ({@link CallDeadline}), and a rotation takes
 * at most half the time left, so that one that fails leaves the caller's put-back of the role as long: the function's
 * timeout never stops a rotation between the password's change and its put-back. With no time left it fails as a
 * {@link TransientException} (a retry writes the inactive slot again and converges).
 */
public final class PostgresRoles implements RoleRotator {
    private static final String MEMBERSHIPS = """
            SELECT g.rolname FROM pg_auth_members m
              JOIN pg_roles g ON g.oid = m.roleid
              JOIN pg_roles u ON u.oid = m.member
             WHERE u.rolname = ?""";
    private static final String DUPLICATE_OBJECT = "42710";

    /** The longest one read from the server may take (less when the invocation has less time left). */
    private static final int SOCKET_TIMEOUT_SECONDS = 30;

    private final int connectTimeoutSeconds;

    public PostgresRoles() {
        this(5);
    }

    public PostgresRoles(int connectTimeoutSeconds) {
        this.connectTimeoutSeconds = connectTimeoutSeconds;
    }

    /** Changes nothing while a function primes ({@link Priming#active()}). */
    @Override
    public void rotate(SecretSpec.Postgres database, MasterCredentials master, String liveRole, String role,
                       SecretValue password) {
        if (Priming.active()) {
            return;
        }
        Optional<Duration> left = CallDeadline.left();
        if (left.isEmpty()) {
            rotateNow(database, master, liveRole, role, password);
            return;
        }
        CallDeadline.within(left.get().dividedBy(2), () -> {
            rotateNow(database, master, liveRole, role, password);
            return null;
        });
    }

    private void rotateNow(SecretSpec.Postgres database, MasterCredentials master, String liveRole, String role, SecretValue password) {
        String where = where(database);
        try (Connection admin = connect(database, master.username(), master.password(), "as master user " + master.username())) {
            prepareRole(admin, database.role(), liveRole, role, where);
            try {
                bound(admin);
                admin.unwrap(PGConnection.class).alterUserPassword(role, password.revealChars(), null);
            } catch (SQLException e) {
                throw failure("setting the password of role " + role + " on " + where + " failed", e);
            }
        } catch (SQLException e) {
            throw failure("closing the master connection to " + where + " failed", e);
        }
        proveLogin(database, role, password, where);
    }

    private void prepareRole(Connection admin, String baseRole, String liveRole, String role, String where) {
        try {
            ensureRole(admin, baseRole, "NOLOGIN");
            ensureRole(admin, role, "LOGIN");
            Set<String> wanted = new LinkedHashSet<>();
            if (liveRole != null) {
                wanted.addAll(memberships(admin, liveRole));
            }
            wanted.add(baseRole);
            wanted.remove(role);
            wanted.removeAll(memberships(admin, role));
            try (Statement statement = admin.createStatement()) {
                for (String group : wanted) {
                    bound(admin);
                    statement.execute("GRANT " + quote(admin, group) + " TO " + quote(admin, role));
                }
                bound(admin);
                statement.execute("ALTER ROLE " + quote(admin, role) + " SET role TO "
                        + admin.unwrap(PGConnection.class).escapeLiteral(baseRole));
            }
        } catch (SQLException e) {
            throw failure("preparing role " + role + " on " + where + " failed", e);
        }
    }

    private static void ensureRole(Connection admin, String role, String login) throws SQLException {
        if (exists(admin, role)) {
            return;
        }
        try (Statement create = admin.createStatement()) {
            bound(admin);
            create.execute("CREATE ROLE " + quote(admin, role) + " " + login);
        } catch (SQLException e) {
            if (!DUPLICATE_OBJECT.equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    private void proveLogin(SecretSpec.Postgres database, String role, SecretValue password, String where) {
        try (Connection login = connect(database, role, password, "as role " + role + " with the new password");
             Statement query = bound(login).createStatement();
             ResultSet rs = query.executeQuery("SELECT session_user")) {
            if (!rs.next() || !role.equals(rs.getString(1))) {
                throw new RotationFailedException("login proof on " + where + ": the session is not role " + role);
            }
        } catch (SQLException e) {
            throw failure("login proof for role " + role + " on " + where + " failed", e);
        }
    }

    private Connection connect(SecretSpec.Postgres database, String user, SecretValue password, String as) {
        String where = where(database);
        if (!SecretSpec.Postgres.HOST.matcher(database.host()).matches()) {
            throw new RotationFailedException("database host of " + where + " is not a host name or address");
        }
        int left = secondsLeft();
        Properties props = new Properties();
        PGProperty.USER.set(props, user);
        PGProperty.PASSWORD.set(props, password.reveal());
        PGProperty.CONNECT_TIMEOUT.set(props, Math.min(connectTimeoutSeconds, left));
        PGProperty.LOGIN_TIMEOUT.set(props, Math.min(connectTimeoutSeconds * 2, left));
        PGProperty.SOCKET_TIMEOUT.set(props, Math.min(SOCKET_TIMEOUT_SECONDS, left));
        PGProperty.LOG_SERVER_ERROR_DETAIL.set(props, false);
        PGProperty.APPLICATION_NAME.set(props, "pushdeploy-rotation");
        String url = "jdbc:postgresql://" + database.host() + ":" + database.port() + "/" + database.database();
        try {
            Connection connection = new Driver().connect(url, props);
            if (connection == null) {
                throw new RotationFailedException("cannot build a JDBC URL for " + where);
            }
            return connection;
        } catch (SQLException e) {
            throw failure("cannot connect to " + where + " " + as, e);
        }
    }

    /** Whole seconds the invocation has left (at least 1: JDBC's timeouts count seconds, 0 is none); fails with none left. */
    private static int secondsLeft() {
        return millisLeft().map(millis -> (int) Math.max(1, Math.min(Integer.MAX_VALUE, millis / 1000))).orElse(Integer.MAX_VALUE);
    }

    /** The next statement's reads end by the deadline. */
    private static Connection bound(Connection connection) throws SQLException {
        Optional<Long> millis = millisLeft();
        if (millis.isPresent()) {
            connection.setNetworkTimeout(Runnable::run, (int) Math.min(millis.get(), SOCKET_TIMEOUT_SECONDS * 1000L));
        }
        return connection;
    }

    /** What is left of the invocation's time; empty without a deadline; fails with none left. */
    private static Optional<Long> millisLeft() {
        Optional<Long> millis = CallDeadline.left().map(Duration::toMillis);
        if (millis.isPresent() && millis.get() < 1) {
            throw new TransientException("no time left for the database before the function's timeout", null);
        }
        return millis;
    }

    private static boolean exists(Connection admin, String role) throws SQLException {
        try (PreparedStatement query = admin.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            bound(admin);
            query.setString(1, role);
            try (ResultSet rs = query.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static Set<String> memberships(Connection admin, String role) throws SQLException {
        Set<String> groups = new LinkedHashSet<>();
        try (PreparedStatement query = admin.prepareStatement(MEMBERSHIPS)) {
            bound(admin);
            query.setString(1, role);
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    groups.add(rs.getString(1));
                }
            }
        }
        return groups;
    }

    private static String quote(Connection admin, String identifier) throws SQLException {
        return admin.unwrap(PGConnection.class).escapeIdentifier(identifier);
    }

    private static String where(SecretSpec.Postgres database) {
        return "postgresql://" + database.host() + ":" + database.port() + "/" + database.database();
    }

    private static RotationFailedException failure(String what, SQLException e) {
        String state = e.getSQLState() == null ? "" : " [SQLSTATE " + e.getSQLState() + "]";
        return new RotationFailedException(what + ": " + e.getMessage() + state, e);
    }
}
