package dev.pushdeploy.adapter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LoopbackTest {
    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void answersEveryRequestOnTheLoopbackInterfaceWithAnEmpty200UntilClosed() throws Exception {
        Loopback closed;
        try (Loopback loopback = Loopback.start()) {
            closed = loopback;
            URI uri = loopback.resolve(URI.create("https://alb.example:8443/health/deep?full=1"));
            assertEquals("127.0.0.1", uri.getHost());
            assertEquals("/health/deep?full=1", uri.getRawPath() + "?" + uri.getRawQuery());
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> answer = client.send(HttpRequest.newBuilder(uri).header("X-Test", "1").build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, answer.statusCode());
                assertEquals("", answer.body());
            }
        }
        assertFalse(closed.serving(), "its thread is gone once closed");
    }

    @Test
    void aConnectionThatSendsNoWholeHeadDoesNotStopTheNext() throws Exception {
        try (Loopback loopback = Loopback.start()) {
            URI uri = loopback.resolve(URI.create("http://x/"));
            try (Socket half = new Socket(uri.getHost(), uri.getPort())) {
                OutputStream out = half.getOutputStream();
                out.write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            assertEquals(200, client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        }
    }
}
