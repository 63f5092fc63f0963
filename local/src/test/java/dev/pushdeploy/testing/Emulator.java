package dev.pushdeploy.testing;

import dev.pushdeploy.local.moto.MotoServer;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * One AWS emulator per test JVM, reached over HTTP through the SDK. Backend by environment:
 * {@code AWS_ENDPOINT_URL} set → that endpoint; {@code PUSHDEPLOY_TEST_BACKEND=localstack} →
 * LocalStack through Testcontainers (needs Docker); otherwise moto, started on a free port by the
 * local runtime's {@link MotoServer} (one start-up path for every test and the CLI). State is
 * reset between tests with {@link #reset()}.
 */
public final class Emulator {
    public static final String REGION = "us-east-1";
    public static final String ACCOUNT = "123456789012";
    private static Emulator instance;

    private static final String MOTO_RESET = "/moto-api/reset";
    private static final String LOCALSTACK_RESET = "/_localstack/state/reset";

    private final URI endpoint;
    private final String resetPath;

    private Emulator(URI endpoint, String resetPath) {
        this.endpoint = endpoint;
        this.resetPath = resetPath;
    }

    public static synchronized Emulator get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    public URI endpoint() {
        return endpoint;
    }

    /** This emulator as reached through {@code front}, a proxy in front of it: the clients it builds aim there. */
    public Emulator through(URI front) {
        return new Emulator(front, resetPath);
    }

    /** Builds an SDK client aimed at the emulator, with dummy credentials. */
    public <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C client(B builder) {
        return builder.endpointOverride(endpoint)
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /** Clears all emulator state (moto's reset API, or LocalStack's state reset). */
    public void reset() {
        post(resetPath, "");
    }

    public void post(String path, String body) {
        MotoServer.post(endpoint, path, body);
    }

    private static Emulator start() {
        String external = System.getenv("AWS_ENDPOINT_URL");
        if (external != null && !external.isBlank()) {
            return new Emulator(URI.create(external), MOTO_RESET);
        }
        if ("localstack".equalsIgnoreCase(System.getenv("PUSHDEPLOY_TEST_BACKEND"))) {
            return LocalStackBackend.start();
        }
        return startMoto();
    }

    private static Emulator startMoto() {
        MotoServer moto = MotoServer.start();
        Runtime.getRuntime().addShutdownHook(new Thread(moto::close));
        return new Emulator(moto.endpoint(), MOTO_RESET);
    }

    static Emulator localStack(URI endpoint) {
        return new Emulator(endpoint, LOCALSTACK_RESET);
    }
}
