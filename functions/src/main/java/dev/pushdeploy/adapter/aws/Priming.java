package dev.pushdeploy.adapter.aws;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * SnapStart priming through the functions' own SDK clients, without side effects. While
 * {@link #dryRun} runs a function's first-request path (on the calling thread), a request whose
 * operation only reads ({@code Describe…}, {@code Get…}, {@code List…}, {@code Query},
 * {@code Scan}, {@code BatchGet…}) goes out as usual; every other request is answered in this
 * process with an empty success response and never sent. So the path exercises what a first
 * request loads and compiles — credentials, signing, endpoint resolution, marshalling, the HTTP
 * client, the responses of the reads — while nothing anywhere changes. A read that would return a
 * secret value (an SSM parameter with decryption, a Secrets Manager secret) is answered in process
 * too, so no secret enters the snapshot. Other adapters with side effects outside the SDK (a
 * database, an HTTP probe) ask {@link #active()} and do nothing.
 */
public final class Priming {
    /** The dry run on this thread; null when none runs. */
    private static final ThreadLocal<Dry> DRY = new ThreadLocal<>();
    private static final StandIns NONE = (operation, body) -> Optional.empty();
    private static final List<String> READS = List.of("Describe", "Get", "List", "Query", "Scan", "BatchGet");
    /** JSON protocols name the operation in this header ({@code AmazonSSM.GetParameter}). */
    private static final String TARGET = "X-Amz-Target";
    private static final Pattern QUERY_ACTION = Pattern.compile("(?:^|&)Action=([A-Za-z0-9]+)");
    private static final Pattern DECRYPTED = Pattern.compile("\"WithDecryption\"\\s*:\\s*true");

    private Priming() {
    }

    /**
     * What a dry run did.
     *
     * @param sent     requests that went out (reads)
     * @param answered requests answered in process
     */
    public record Counts(int sent, int answered) {
    }

    /**
     * The answers to requests about what exists only in a dry run (the priming's own execution, its image, the move
     * of its service): the JSON body AWS would answer a request of a JSON-protocol operation with, or empty for a
     * request that is not one of them.
     */
    @FunctionalInterface
    public interface StandIns {
        Optional<String> answer(String operation, String body);
    }

    private record Dry(int[] counts, StandIns standIns) {
    }

    /** Runs {@code path} on this thread with every request that is not a read answered in process. */
    public static Counts dryRun(Runnable path) {
        return dryRun(path, NONE);
    }

    /** Like {@link #dryRun(Runnable)}, with the requests {@code standIns} answers answered in process by them. */
    public static Counts dryRun(Runnable path, StandIns standIns) {
        Dry dry = new Dry(new int[2], standIns);
        DRY.set(dry);
        try {
            path.run();
        } finally {
            DRY.remove();
        }
        return new Counts(dry.counts()[0], dry.counts()[1]);
    }

    /** Whether the current thread is priming (then nothing may change anywhere). */
    public static boolean active() {
        return DRY.get() != null;
    }

    /** Whether an operation only reads. */
    static boolean reads(String operation) {
        return READS.stream().anyMatch(operation::startsWith);
    }

    /** Whether a request may leave the process while priming: a read that returns no secret value. */
    static boolean mayLeave(String operation, String body) {
        return reads(operation) && !operation.equals("GetSecretValue") && !DECRYPTED.matcher(body).find();
    }

    /** The HTTP client the functions' SDK clients share: {@code delegate}, except for writes while priming. */
    static SdkHttpClient guarding(SdkHttpClient delegate) {
        return new Guard(delegate);
    }

    private static final class Guard implements SdkHttpClient {
        private final SdkHttpClient delegate;

        Guard(SdkHttpClient delegate) {
            this.delegate = delegate;
        }

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            Dry dry = DRY.get();
            if (dry == null) {
                return delegate.prepareRequest(request);
            }
            int[] counts = dry.counts();
            Optional<String> jsonOperation = request.httpRequest().firstMatchingHeader(TARGET)
                    .map(target -> target.substring(target.lastIndexOf('.') + 1));
            String body = body(request);
            String operation = jsonOperation.orElseGet(() -> {
                Matcher action = QUERY_ACTION.matcher(body);
                return action.find() ? action.group(1) : "";
            });
            Optional<String> standIn = jsonOperation.isPresent() ? dry.standIns().answer(operation, body) : Optional.empty();
            if (standIn.isPresent()) {
                counts[1]++;
                return new Answered(standIn.get().getBytes(StandardCharsets.UTF_8));
            }
            if (mayLeave(operation, body)) {
                counts[0]++;
                return delegate.prepareRequest(request);
            }
            counts[1]++;
            return new Answered((jsonOperation.isPresent() ? "{}"
                    : "<" + operation + "Response><" + operation + "Result/></" + operation + "Response>")
                    .getBytes(StandardCharsets.UTF_8));
        }

        /** The request's body ("" without one); the query protocol (SNS, ELB) names the operation there. */
        private static String body(HttpExecuteRequest request) {
            if (request.contentStreamProvider().isEmpty()) {
                return "";
            }
            try (InputStream in = request.contentStreamProvider().get().newStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String clientName() {
            return delegate.clientName();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    private record Answered(byte[] body) implements ExecutableHttpRequest {
        @Override
        public HttpExecuteResponse call() {
            return HttpExecuteResponse.builder()
                    .response(SdkHttpResponse.builder().statusCode(200)
                            .putHeader("Content-Length", Integer.toString(body.length)).build())
                    .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body)))
                    .build();
        }

        @Override
        public void abort() {
            // nothing in flight
        }
    }
}
