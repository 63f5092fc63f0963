package dev.pushdeploy.adapter.http;

import dev.pushdeploy.adapter.aws.Priming;
import dev.pushdeploy.rollout.RolloutSnapshot;
import dev.pushdeploy.rollout.SmokeCheck;
import dev.pushdeploy.rollout.TestListenerProbe;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * {@link SmokeCheck} and {@link TestListenerProbe} with {@code java.net.http}: one GET, no redirects followed, short timeouts
 * (a check must finish well inside its Lambda's time), body discarded. The client is built per
 * probe and closed after it, so functions without a smoke URL never start its threads.
 */
public final class HttpSmokeCheck implements SmokeCheck, TestListenerProbe {
    private final Duration connectTimeout;
    private final Duration timeout;

    public HttpSmokeCheck(Duration connectTimeout, Duration timeout) {
        this.connectTimeout = connectTimeout;
        this.timeout = timeout;
    }

    public static HttpSmokeCheck withDefaultTimeouts() {
        return new HttpSmokeCheck(Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    /**
     * While a function primes ({@link Priming#active()}) the request goes to a {@link Loopback} listener in the process
     * instead (the client's exchange runs, so the first probe after a restore loads no class of it) and nothing is sent
     * to {@code url}: the probe then fails.
     */
    @Override
    public RolloutSnapshot.SmokeResult probe(String url, int expectedStatus) {
        return probe(url, expectedStatus, Map.of());
    }

    @Override
    public RolloutSnapshot.SmokeResult probe(String url, int expectedStatus, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url))
                .timeout(timeout)
                .header("User-Agent", "pushdeploy-smoke-check");
        headers.forEach(builder::header);
        HttpRequest request = builder.GET().build();
        try (HttpClient client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build()) {
            if (Priming.active()) {
                exchangeInProcess(client, request);
                return new RolloutSnapshot.SmokeResult(false, "GET " + url + " not sent while priming");
            }
            int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            return new RolloutSnapshot.SmokeResult(status == expectedStatus,
                    "GET " + url + " answered " + status + " (expected " + expectedStatus + ")");
        } catch (IOException e) {
            return new RolloutSnapshot.SmokeResult(false, "GET " + url + " failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new RolloutSnapshot.SmokeResult(false, "GET " + url + " interrupted");
        }
    }

    /** {@code request} sent to a {@link Loopback} listener instead of its URL; what it answers does not matter. */
    private static void exchangeInProcess(HttpClient client, HttpRequest request) throws InterruptedException {
        try (Loopback loopback = Loopback.start()) {
            client.send(HttpRequest.newBuilder(request, (name, value) -> true).uri(loopback.resolve(request.uri())).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            // priming goes on without it
        }
    }
}
