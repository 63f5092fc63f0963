package dev.pushdeploy.adapter.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A listener on the loopback interface, in the process, that answers every HTTP/1.1 request with an empty 200 and
 * closes the connection: where a probe goes while its function primes, so the client's whole exchange runs and
 * nothing leaves the process. Each connection gets {@value #READ_MILLIS} ms to send its request head; once closed,
 * its thread is gone (priming leaves nothing running in the snapshot).
 */
final class Loopback implements AutoCloseable {
    private static final int READ_MILLIS = 2000;
    private static final int MAX_HEAD = 64 * 1024;
    private static final byte[] ANSWER = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private static final long JOIN_MILLIS = 1000;

    private final ServerSocket socket;
    private final Thread thread;

    private Loopback(ServerSocket socket) {
        this.socket = socket;
        this.thread = new Thread(this::serve, "priming-loopback");
        thread.setDaemon(true);
    }

    static Loopback start() throws IOException {
        Loopback loopback = new Loopback(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
        loopback.thread.start();
        return loopback;
    }

    /** Whether its thread still runs. */
    boolean serving() {
        return thread.isAlive();
    }

    /** {@code url}'s path and query on this listener. */
    URI resolve(URI url) {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        return URI.create("http://" + socket.getInetAddress().getHostAddress() + ":" + socket.getLocalPort() + path
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (Socket connection = socket.accept()) {
                connection.setSoTimeout(READ_MILLIS);
                readHead(connection.getInputStream());
                connection.getOutputStream().write(ANSWER);
            } catch (IOException e) {
                // closed, or a connection that went away: the next one is served
            }
        }
    }

    private static void readHead(InputStream in) throws IOException {
        int matched = 0;
        for (int read = 0; read < MAX_HEAD && matched < 4; read++) {
            int b = in.read();
            if (b < 0) {
                return;
            }
            matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : b == '\r' ? 1 : 0;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        try {
            thread.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
