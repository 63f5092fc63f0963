package dev.pushdeploy.local.endpoint;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pushdeploy.local.time.TimeKeeper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The one AWS endpoint the handlers (through {@code aws.endpointUrl}) and moto's interpreter
 * (through {@code MOTO_PORT}) talk to. Routes answer what they own (Lambda invokes, the ECS
 * rollout simulator, the smoke URL); everything else is forwarded to moto unchanged. Mutating
 * calls are counted per execution on the way back.
 */
public final class LocalEndpoint implements AutoCloseable {
    private static final Set<String> UNFORWARDED_HEADERS = Set.of(
            "host", "connection", "content-length", "expect", "upgrade", "transfer-encoding", "keep-alive");
    private static final Set<String> UNRETURNED_HEADERS = Set.of(
            "content-length", "transfer-encoding", "connection", "date", "keep-alive", "server");

    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient http;
    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private final WriteCounter writes = new WriteCounter();

    private volatile URI target;
    private volatile TimeKeeper keeper;

    private LocalEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** Binds a free port on the loopback interface; routes are added with {@link #route(Route)} and moto with {@link #forwardTo(URI)}. */
    public static LocalEndpoint start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            ExecutorService executor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "local-endpoint");
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(executor);
            LocalEndpoint endpoint = new LocalEndpoint(server, executor);
            server.createContext("/", endpoint::serve);
            server.start();
            return endpoint;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where unrouted requests go (moto). */
    public void forwardTo(URI motoEndpoint) {
        this.target = motoEndpoint;
    }

    public void route(Route route) {
        routes.add(route);
    }

    /** Adds a route asked before every other (to hold a call the simulator would answer). */
    public void routeFirst(Route route) {
        routes.add(0, route);
    }

    /** Every request counts as work in progress for {@code keeper} while it is served: simulated time does not skip it. */
    public void keepTime(TimeKeeper keeper) {
        this.keeper = keeper;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public WriteCounter writes() {
        return writes;
    }

    /** Sends a request to moto unchanged (also used by routes that decorate moto's answer). */
    public AwsResponse forward(AwsRequest request) {
        URI base = target;
        if (base == null) {
            return AwsResponse.text(502, "no emulator behind the local endpoint");
        }
        String pathAndQuery = request.path() + (request.query() == null ? "" : "?" + request.query());
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(pathAndQuery))
                .timeout(Duration.ofMinutes(5))
                .method(request.method(), request.body().length == 0
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        request.headers().forEach((name, values) -> {
            if (!UNFORWARDED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> builder.header(name, v));
            }
        });
        try {
            HttpResponse<byte[]> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
            Map<String, List<String>> headers = new java.util.LinkedHashMap<>();
            response.headers().map().forEach((name, values) -> {
                if (!name.startsWith(":") && !UNRETURNED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                    headers.put(name, values);
                }
            });
            return new AwsResponse(response.statusCode(), headers, response.body());
        } catch (IOException e) {
            return AwsResponse.text(502, "emulator unreachable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return AwsResponse.text(502, "interrupted");
        }
    }

    /** Forgets the routes, the emulator, the time keeper and the writes counted: the endpoint of no runtime, at the same address. */
    public void clear() {
        routes.clear();
        target = null;
        keeper = null;
        writes.reset();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void serve(HttpExchange exchange) throws IOException {
        TimeKeeper timeKeeper = keeper;
        try (exchange; TimeKeeper.Activity busy = timeKeeper == null ? () -> { } : timeKeeper.busy()) {
            AwsRequest request;
            try (InputStream in = exchange.getRequestBody()) {
                request = new AwsRequest(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders(), in.readAllBytes());
            }
            AwsResponse response;
            try {
                response = dispatch(request);
            } catch (RuntimeException e) {
                response = AwsResponse.json(500, "application/json",
                        "{\"__type\":\"InternalFailure\",\"message\":\"local endpoint: " + e.getClass().getSimpleName() + "\"}",
                        Map.of());
                System.err.println("local endpoint: " + request.method() + " " + request.path() + " failed: " + e);
            }
            writes.record(request, response.status());
            response.headers().forEach((name, values) -> exchange.getResponseHeaders().put(name, values));
            boolean empty = response.body().length == 0;
            exchange.sendResponseHeaders(response.status(), empty ? -1 : response.body().length);
            if (!empty) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response.body());
                }
            }
        }
    }

    private AwsResponse dispatch(AwsRequest request) {
        for (Route route : routes) {
            Optional<AwsResponse> answer = route.handle(request);
            if (answer.isPresent()) {
                return answer.get();
            }
        }
        return forward(request);
    }
}
