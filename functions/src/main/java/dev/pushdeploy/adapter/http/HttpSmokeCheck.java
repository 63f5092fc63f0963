package dev.pushdeploy.adapter.http;

import dev.pushdeploy.adapter.aws.Priming;
import dev.pushdeploy.rollout.RolloutSnapshot;
import dev.pushdeploy.rollout.SmokeCheck;
import dev.pushdeploy.rollout.TestListenerProbe;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * {@link SmokeCheck} and {@link TestListenerProbe} with {@link HttpURLConnection}, the client the SDK's own HTTP
 * client is built on (so a probe loads next to nothing the function has not): one GET, no proxy, no redirects
 * followed, short timeouts (a check must finish well inside its Lambda's time), body never read, connection closed
 * after it. The configuration refuses the header names this client would not send as given (Host, Connection, ...).
 */
public final class HttpSmokeCheck implements SmokeCheck, TestListenerProbe {
    private static final String MASK = "***";
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
        try {
            URI target = URI.create(url);
            if (Priming.active()) {
                exchangeInProcess(target, headers);
                return new RolloutSnapshot.SmokeResult(false, "GET " + shown(url) + " not sent while priming");
            }
            int status = exchange(target, headers);
            return new RolloutSnapshot.SmokeResult(status == expectedStatus,
                    "GET " + shown(url) + " answered " + status + " (expected " + expectedStatus + ")");
        } catch (IOException | IllegalArgumentException e) {
            return new RolloutSnapshot.SmokeResult(false, "GET " + shown(url) + " failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage().replace(url, shown(url))));
        }
    }

    /**
     * {@code url} as results name it: the query's values masked and the fragment left out. A result goes to logs,
     * the run's record and notifications, and a health URL may carry a key in its query (the configuration already
     * refuses credentials before the host); the request itself is sent as configured.
     */
    static String shown(String url) {
        int fragment = url.indexOf('#');
        String sent = fragment < 0 ? url : url.substring(0, fragment);
        int query = sent.indexOf('?');
        if (query < 0) {
            return sent;
        }
        StringBuilder shown = new StringBuilder(sent.substring(0, query + 1));
        String[] parameters = sent.substring(query + 1).split("&", -1);
        for (int i = 0; i < parameters.length; i++) {
            int equals = parameters[i].indexOf('=');
            shown.append(i == 0 ? "" : "&").append(parameters[i].isEmpty() ? ""
                    : equals < 0 ? MASK : parameters[i].substring(0, equals + 1) + MASK);
        }
        return shown.toString();
    }

    /**
     * The status {@code url} answers a GET with; -1 when what came back was not HTTP. The connection's timeouts bound each
     * connect and read; a deadline thread closes the connection once both timeouts have passed in all, so an answer
     * trickled a byte at a time cannot hold the probe past them.
     */
    private int exchange(URI url, Map<String, String> headers) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) url.toURL().openConnection(Proxy.NO_PROXY);
        Thread deadline = new Thread(() -> {
            try {
                Thread.sleep(connectTimeout.plus(timeout).toMillis());
                connection.disconnect();
            } catch (InterruptedException e) {
                // answered in time
            }
        }, "smoke-check-deadline");
        deadline.setDaemon(true);
        deadline.start();
        try {
            connection.setRequestMethod("GET");
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setConnectTimeout(Math.toIntExact(connectTimeout.toMillis()));
            connection.setReadTimeout(Math.toIntExact(timeout.toMillis()));
            connection.setRequestProperty("User-Agent", "pushdeploy-smoke-check");
            headers.forEach(connection::setRequestProperty);
            return connection.getResponseCode();
        } finally {
            deadline.interrupt();
            connection.disconnect();
            joinQuietly(deadline);
        }
    }

    /** Waits for the deadline thread to end (it ends at once when interrupted), so none outlives a probe or a snapshot. */
    private static void joinQuietly(Thread thread) {
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The same request sent to a {@link Loopback} listener instead of its URL; what it answers does not matter. */
    private void exchangeInProcess(URI url, Map<String, String> headers) {
        try (Loopback loopback = Loopback.start()) {
            exchange(loopback.resolve(url), headers);
        } catch (IOException e) {
            // priming goes on without it
        }
    }
}
