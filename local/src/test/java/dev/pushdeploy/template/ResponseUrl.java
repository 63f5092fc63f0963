package dev.pushdeploy.template;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * CloudFormation's presigned response URL as a custom resource's sample event needs one: a loopback
 * server that takes the PUT and keeps its body. {@link #into} aims an event at it.
 */
final class ResponseUrl implements AutoCloseable {
    private final HttpServer server;
    private final List<String> responses = new CopyOnWriteArrayList<>();

    private ResponseUrl(HttpServer server) {
        this.server = server;
    }

    static ResponseUrl start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ResponseUrl url = new ResponseUrl(server);
            server.createContext("/", exchange -> {
                url.responses.add(new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
            return url;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code event} with its {@code ResponseURL} (if it has one) replaced by this server's. */
    String into(String event) {
        return event.replaceAll("\"ResponseURL\": \"[^\"]*\"",
                "\"ResponseURL\": \"http://127.0.0.1:" + server.getAddress().getPort() + "/response\"");
    }

    /** The bodies PUT so far. */
    List<String> responses() {
        return List.copyOf(responses);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
