package dev.pushdeploy.adapter.postgres;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.adapter.aws.CallDeadline;
import dev.pushdeploy.config.SecretSpec;
import dev.pushdeploy.error.RotationFailedException;
import dev.pushdeploy.secrets.MasterCredentials;
import dev.pushdeploy.secrets.SecretValue;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The database half of RotateSecrets is bounded by the invocation's deadline.
 *
 * <p>StepHandler runs every invocation within {@link CallDeadline} so that "a call cannot run into the function's
 * timeout" and fails as a transient error instead. {@link PostgresRoles} ignores it: each connection may take
 * {@code loginTimeout} (10 s) and every statement {@code socketTimeout} (30 s), one after the other, with no total.
 * pgJDBC's "Timeouts" (https://vlsi.github.io/pgjdbc/documentation/connect/timeouts/) bounds the steady state by
 * "socketTimeout (default 0 = wait forever)" per "individual socket reads", and states that "each phase is bounded by
 * its own timeout"; a rotation makes two connections and about ten statements (put back: as many again), far past
 * RotateSecretsFunction's Timeout of 120 s when the database is slow (a Multi-AZ failover, a lock on the role held by
 * another session). AWS Lambda's CreateFunction reference (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html),
 * Timeout: "The amount of time (in seconds) that Lambda allows a function to run before stopping it." — stopped, the
 * invocation never runs the put-back of a role whose password it had already changed (role and slot disagree), and the
 * run's record gets "Task timed out" instead of the step's own error.
 */
class RotationDeadlineTest {
    private final ServerSocket silent;
    private final List<Socket> accepted = new ArrayList<>();

    RotationDeadlineTest() throws IOException {
        // A database that accepts the connection and never answers (a failover in progress, a hung instance).
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    Socket socket = silent.accept();
                    synchronized (accepted) {
                        accepted.add(socket);
                    }
                    Thread.ofVirtual().start(() -> drain(socket));
                }
            } catch (IOException closed) {
                // the test ended
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static void drain(Socket socket) {
        try (InputStream in = socket.getInputStream()) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // closed
        }
    }

    @AfterEach
    void close() throws IOException {
        silent.close();
        synchronized (accepted) {
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    @Test
    void aRotationEndsByTheInvocationsDeadlineWhenTheDatabaseDoesNotAnswer() {
        SecretSpec.Postgres database = new SecretSpec.Postgres("127.0.0.1", silent.getLocalPort(), "app", "app", "DB_USER", "/m");
        Duration left = Duration.ofSeconds(2);

        long start = System.nanoTime();
        assertThrows(RotationFailedException.class, () -> CallDeadline.within(left, () -> {
            new PostgresRoles().rotate(database, new MasterCredentials("master", SecretValue.of("master-password")), "app_b",
                    "app_a", SecretValue.of("new-password"));
            return null;
        }));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertTrue(took.compareTo(left.plusSeconds(1)) <= 0, "with " + left.toMillis() + " ms left before the function's"
                + " timeout, the rotation waited on a silent database for " + took.toMillis() + " ms: PostgresRoles' JDBC"
                + " timeouts (login 10 s, each read 30 s) ignore the invocation's deadline, so Lambda stops the invocation"
                + " mid-rotation, before any put-back");
    }
}
