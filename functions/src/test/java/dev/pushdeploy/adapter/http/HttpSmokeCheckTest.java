package dev.pushdeploy.adapter.http;

import dev.pushdeploy.rollout.RolloutSnapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class HttpSmokeCheckTest {
    private HttpServer server;
    private String base;
    private final HttpSmokeCheck smoke = new HttpSmokeCheck(Duration.ofSeconds(1), Duration.ofSeconds(1));

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok", Answering.status(200));
        server.createContext("/down", Answering.status(503));
        server.createContext("/moved", exchange -> {
            exchange.getResponseHeaders().add("Location", base + "/ok");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.createContext("/slow", exchange -> {
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void passesOnTheExpectedStatus() {
        RolloutSnapshot.SmokeResult result = smoke.probe(base + "/ok", 200);
        assertTrue(result.ok(), result.detail());
        assertEquals("GET " + base + "/ok answered 200 (expected 200)", result.detail());
    }

    @Test
    void sendsTheTestListenersHeaderAsGiven() {
        server.createContext("/listener", exchange -> {
            boolean matched = "f00d".equals(exchange.getRequestHeaders().getFirst("X-Pushdeploy-Test"))
                    && "pushdeploy-smoke-check".equals(exchange.getRequestHeaders().getFirst("User-Agent"));
            exchange.sendResponseHeaders(matched ? 200 : 404, -1);
            exchange.close();
        });
        assertTrue(smoke.probe(base + "/listener", 200, java.util.Map.of("X-Pushdeploy-Test", "f00d")).ok());
        assertFalse(smoke.probe(base + "/listener", 200).ok());
    }

    @Test
    void failsOnAnotherStatus() {
        RolloutSnapshot.SmokeResult result = smoke.probe(base + "/down", 200);
        assertFalse(result.ok());
        assertTrue(result.detail().contains("answered 503"), result.detail());
    }

    @Test
    void whilePrimingSendsNothing() {
        java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
        server.createContext("/counted", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        RolloutSnapshot.SmokeResult[] primed = new RolloutSnapshot.SmokeResult[1];
        dev.pushdeploy.adapter.aws.Priming.dryRun(() -> primed[0] = smoke.probe(base + "/counted", 200, java.util.Map.of("X-Test", "1")));
        assertFalse(primed[0].ok());
        assertEquals("GET " + base + "/counted not sent while priming", primed[0].detail());
        assertTrue(smoke.probe(base + "/counted", 200).ok(), "and sent once priming is over");
        assertEquals(1, requests.get());
    }

    @Test
    void aUrlThatDoesNotParseFailsTheProbeNotTheFunction() {
        RolloutSnapshot.SmokeResult result = smoke.probe("http://[alb/health", 200);
        assertFalse(result.ok());
        assertTrue(result.detail().startsWith("GET http://[alb/health failed: IllegalArgumentException"), result.detail());
    }

    @Test
    void aKeyInTheQueryIsSentButNeverShown() {
        java.util.concurrent.atomic.AtomicReference<String> received = new java.util.concurrent.atomic.AtomicReference<>();
        server.createContext("/keyed", exchange -> {
            received.set(exchange.getRequestURI().getRawQuery());
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        RolloutSnapshot.SmokeResult result = smoke.probe(base + "/keyed?api_key=s3cr3t&region=eu", 200);
        assertEquals("api_key=s3cr3t&region=eu", received.get());
        assertEquals("GET " + base + "/keyed?api_key=***&region=*** answered 503 (expected 200)", result.detail());
    }

    @Test
    void aKeyInAUrlThatDoesNotParseIsNotShownEither() {
        RolloutSnapshot.SmokeResult result = smoke.probe("http://alb/health?key=s3cr3t&x=a b", 200);
        assertFalse(result.ok());
        assertFalse(result.detail().contains("s3cr3t"), result.detail());
        assertTrue(result.detail().startsWith("GET http://alb/health?key=***&x=*** failed: IllegalArgumentException"), result.detail());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "https://alb/health                      | https://alb/health",
            "https://alb/health?                     | https://alb/health?",
            "https://alb/health?key=s3cr3t           | https://alb/health?key=***",
            "https://alb/health?s3cr3t               | https://alb/health?***",
            "https://alb/health?a=1&&b=&c            | https://alb/health?a=***&&b=***&***",
            "https://alb/health?key=a=b#part         | https://alb/health?key=***",
            "https://alb/health#key=s3cr3t           | https://alb/health",
    })
    void showsAUrlWithItsQueryValuesMasked(String url, String shown) {
        assertEquals(shown, HttpSmokeCheck.shown(url));
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anAnswerTrickledAByteAtATimeIsCutAtTheDeadline() throws Exception {
        try (ServerSocket trickle = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (java.net.Socket client = trickle.accept()) {
                    for (byte b : "HTTP/1.1 200 OK\r\nX-Slow: ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)) {
                        client.getOutputStream().write(b);
                        client.getOutputStream().flush();
                        Thread.sleep(150);
                    }
                    while (true) {
                        client.getOutputStream().write('a');
                        client.getOutputStream().flush();
                        Thread.sleep(150);
                    }
                } catch (IOException | InterruptedException e) {
                    // the probe hung up
                }
            });
            server.setDaemon(true);
            server.start();
            long start = System.nanoTime();
            RolloutSnapshot.SmokeResult result = smoke.probe("http://127.0.0.1:" + trickle.getLocalPort() + "/", 200);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertFalse(result.ok(), result.detail());
            assertTrue(result.detail().contains("failed: "), result.detail());
            assertTrue(millis < 3_500, "connect and read timeouts of 1 s each bound the whole probe: " + millis + " ms");
        }
    }

    @Test
    void doesNotFollowRedirects() {
        assertFalse(smoke.probe(base + "/moved", 200).ok());
        assertTrue(smoke.probe(base + "/moved", 302).ok());
    }

    @Test
    void failsFastWhenNothingListensOrTheAnswerIsLate() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        RolloutSnapshot.SmokeResult refused = smoke.probe("http://127.0.0.1:" + closed + "/", 200);
        assertFalse(refused.ok());
        assertTrue(refused.detail().contains("failed: "), refused.detail());

        long start = System.nanoTime();
        RolloutSnapshot.SmokeResult late = smoke.probe(base + "/slow", 200);
        assertFalse(late.ok());
        assertTrue(late.detail().contains("SocketTimeoutException"), late.detail());
        assertTrue(System.nanoTime() - start < 2_500_000_000L, "the request timeout bounds the wait");
    }
}
