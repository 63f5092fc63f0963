package dev.pushdeploy.adapter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.pushdeploy.adapter.aws.Priming;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PresignedUrlPutTest {
    private HttpServer server;
    private String base;
    private final List<String> seen = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok", exchange -> {
            seen.add(exchange.getRequestMethod() + " [" + exchange.getRequestHeaders().getFirst("Content-Type") + "] "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.createContext("/expired", Answering.status(403));
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void putsTheBodyWithAnEmptyContentType() {
        new PresignedUrlPut(Duration.ofSeconds(2)).put(base + "/ok?X-Amz-Signature=abc", "{\"Status\":\"SUCCESS\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("PUT [] {\"Status\":\"SUCCESS\"}"), seen);
    }

    @Test
    void aRefusedPutIsAnErrorNamingTheStatus() {
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> new PresignedUrlPut(Duration.ofSeconds(2)).put(base + "/expired", new byte[] {'{', '}'}));
        assertTrue(e.getMessage().contains("403"), e.getMessage());
    }

    @Test
    void whileAFunctionPrimesNothingIsSent() {
        Priming.Counts counts = Priming.dryRun(() -> new PresignedUrlPut(Duration.ofSeconds(2)).put(base + "/ok", new byte[] {'{', '}'}));
        assertEquals(List.of(), seen);
        assertEquals(0, counts.sent());
        new PresignedUrlPut(Duration.ofSeconds(2)).put(base + "/ok", new byte[] {'{', '}'});
        assertEquals(List.of("PUT [] {}"), seen, "and outside priming the same put is sent");
    }
}
