package dev.pushdeploy.adapter.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.error.TransientException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;

/** Clients {@link Aws#build} builds, against an endpoint that accepts connections and never answers. */
class CallDeadlineTest {
    private ServerSocket silent;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private EcsClient ecs;

    @BeforeEach
    void serveNothing() throws IOException {
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(silent.accept());
                }
            } catch (IOException closed) {
                // the test is over
            }
        }, "silent-endpoint");
        acceptor.setDaemon(true);
        acceptor.start();
        ecs = Aws.build(EcsClient.builder().region(Region.US_EAST_1)
                .endpointOverride(URI.create("http://127.0.0.1:" + silent.getLocalPort()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"))));
    }

    @AfterEach
    void close() throws IOException {
        ecs.close();
        silent.close();
        for (Socket socket : accepted) {
            socket.close();
        }
    }

    private TransientException listTasks() {
        return assertThrows(TransientException.class,
                () -> AwsCall.run("ecs:ListTasks", () -> ecs.listTasks(r -> r.cluster("pushdeploy").serviceName("web"))));
    }

    @Test
    void aCallWhoseAnswerNeverComesEndsAsTransientByTheDeadline() {
        long start = System.nanoTime();
        TransientException e = CallDeadline.within(Duration.ofMillis(1500), this::listTasks);
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertInstanceOf(ApiCallTimeoutException.class, e.getCause(), e.toString());
        assertTrue(millis >= 1400 && millis < 5000, "ended after " + millis + " ms");
        assertTrue(e.getMessage().startsWith("ecs:ListTasks failed to reach AWS: "), e.getMessage());
        assertEquals(1, accepted.size(), "the request was sent");
    }

    @Test
    void aCallWithNoTimeLeftFailsAsTransientWithoutBeingSent() {
        TransientException e = CallDeadline.within(Duration.ZERO, this::listTasks);

        assertTrue(e.getMessage().contains("no time left for the call"), e.getMessage());
        assertEquals(0, accepted.size(), "nothing was sent");
    }

    @Test
    void aDeadlineWithinAnotherKeepsTheEarlier() {
        CallDeadline.within(Duration.ofSeconds(2), () -> CallDeadline.within(Duration.ofMinutes(5), () -> {
            assertTrue(CallDeadline.left().orElseThrow().compareTo(Duration.ofSeconds(2)) <= 0);
            return null;
        }));
        assertTrue(CallDeadline.left().isEmpty(), "no deadline outside");
    }

    /** Without a deadline (no Lambda context: priming, tests) the client's own bound holds: below the 60 s functions. */
    @Test
    void everyClientBoundsItsCallsBelowTheFunctionsTimeout() {
        Duration bound = ecs.serviceClientConfiguration().overrideConfiguration().apiCallTimeout().orElseThrow();

        assertEquals(Aws.CALL_TIMEOUT, bound);
        assertTrue(bound.compareTo(Duration.ofSeconds(30)) > 0 && bound.compareTo(Duration.ofSeconds(60)) < 0, bound.toString());
    }
}
