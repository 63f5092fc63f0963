package dev.pushdeploy.adapter.http;

import dev.pushdeploy.adapter.aws.Priming;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;

/**
 * One PUT of a body to a presigned URL, as CloudFormation's custom-resource responses are sent:
 * an empty {@code Content-Type} (the presigned S3 URL signs none), short timeouts, any status
 * other than 2xx an error naming it. While a function primes ({@link Priming#active()}) the request
 * is made ready and not sent.
 */
public final class PresignedUrlPut {
    private final Duration timeout;

    public PresignedUrlPut(Duration timeout) {
        this.timeout = timeout;
    }

    public void put(String url, byte[] body) {
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
            connection.setRequestMethod("PUT");
            connection.setConnectTimeout((int) timeout.toMillis());
            connection.setReadTimeout((int) timeout.toMillis());
            connection.setDoOutput(true);
            connection.setRequestProperty("Content-Type", "");
            connection.setFixedLengthStreamingMode(body.length);
            if (Priming.active()) {
                return;
            }
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            int status = connection.getResponseCode();
            if (status / 100 != 2) {
                throw new IOException("PUT to the response URL answered " + status);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("PUT to the response URL failed: " + e.getMessage(), e);
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }
}
