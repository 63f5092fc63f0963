package dev.pushdeploy.adapter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
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
        URI uri;
        try (Loopback loopback = Loopback.start()) {
            uri = loopback.resolve(URI.create("https://alb.example:8443/health/deep?full=1"));
            assertEquals("127.0.0.1", uri.getHost());
            assertEquals("/health/deep?full=1", uri.getRawPath() + "?" + uri.getRawQuery());
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> answer = client.send(HttpRequest.newBuilder(uri).header("X-Test", "1").build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, answer.statusCode());
                assertEquals("", answer.body());
            }
        }
        URI closed = uri;
        assertThrows(ConnectException.class, () -> client.send(HttpRequest.newBuilder(closed).build(),
                HttpResponse.BodyHandlers.discarding()));
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
