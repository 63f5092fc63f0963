package dev.pushdeploy.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The Lambda Runtime API (version 2018-06-01) as far as a runtime client uses it, on loopback:
 * {@code GET /runtime/invocation/next} hands out the queued events (and waits while there is
 * none), {@code POST /runtime/invocation/{id}/response} and {@code .../error} and
 * {@code POST /runtime/init/error} complete {@link #outcome()}.
 */
public final class FakeRuntimeApi implements AutoCloseable {
    private static final String PREFIX = "/2018-06-01/runtime/";

    /** What the runtime client reported: {@code kind} is response, error or init-error. */
    public record Outcome(String kind, String requestId, String errorTypeHeader, String body) {
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "fake-runtime-api");
        thread.setDaemon(true);
        return thread;
    });
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    private volatile Runnable beforeFirstEvent = () -> { };

    public FakeRuntimeApi() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(threads);
        server.createContext(PREFIX, this::handle);
        server.start();
    }

    /** {@code host:port}, the value of {@code AWS_LAMBDA_RUNTIME_API}. */
    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public void enqueue(String event) {
        events.add(event);
    }

    /** Runs {@code action} when the client first asks for an event (its function initialised), before it gets one. */
    public void beforeFirstEvent(Runnable action) {
        beforeFirstEvent = action;
    }

    /** The first response, error or init error the client posts. */
    public CompletableFuture<Outcome> outcome() {
        return outcome;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath().substring(PREFIX.length());
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String errorType = exchange.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type");
        if (exchange.getRequestMethod().equals("GET") && path.equals("invocation/next")) {
            Runnable first = beforeFirstEvent;
            beforeFirstEvent = () -> { };
            first.run();
            String event;
            try {
                event = events.poll(5, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                event = null;
            }
            if (event == null) {
                answer(exchange, 500, "{}");
                return;
            }
            exchange.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", UUID.randomUUID().toString());
            exchange.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms", String.valueOf(System.currentTimeMillis() + 60_000));
            exchange.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn",
                    "arn:aws:lambda:" + Emulator.REGION + ":" + Emulator.ACCOUNT + ":function:test:live");
            exchange.getResponseHeaders().add("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0");
            answer(exchange, 200, event);
        } else if (path.equals("init/error")) {
            outcome.complete(new Outcome("init-error", null, errorType, body));
            answer(exchange, 202, "{}");
        } else if (path.startsWith("invocation/") && (path.endsWith("/response") || path.endsWith("/error"))) {
            String[] parts = path.split("/");
            outcome.complete(new Outcome(parts[2].equals("response") ? "response" : "error", parts[1], errorType, body));
            answer(exchange, 202, "{}");
        } else {
            answer(exchange, 404, "{}");
        }
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        // the runtime client's native HTTP client reads the content type unconditionally
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
