package dev.pushdeploy.local.aws;

import dev.pushdeploy.local.endpoint.ExecutionScope;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * SDK clients of the runtime itself (bootstrap, starting executions, reading state for the CLI),
 * aimed at moto or at the local endpoint. Requests to the endpoint are marked internal: the
 * simulator never throttles them and they are not counted as an execution's writes.
 */
public final class Clients {
    public static final String REGION = "us-east-1";
    public static final String ACCESS_KEY = "local";
    private static final SdkHttpClient HTTP = UrlConnectionHttpClient.create();

    private final URI endpoint;

    public Clients(URI endpoint) {
        this.endpoint = endpoint;
    }

    public <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder) {
        return builder.endpointOverride(endpoint)
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, ACCESS_KEY)))
                .httpClient(HTTP)
                .overrideConfiguration(c -> c.addExecutionInterceptor(new Internal()))
                .build();
    }

    /**
     * Aims the SDK's defaults (endpoint, region, credentials) at {@code endpoint}: the handlers run in
     * this JVM build their clients as on Lambda, from the defaults.
     */
    public static void aimSdkDefaultsAt(URI endpoint) {
        System.setProperty("aws.endpointUrl", endpoint.toString());
        System.setProperty("aws.region", REGION);
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", ACCESS_KEY);
    }

    /** Marks the runtime's own requests. */
    private static final class Internal implements ExecutionInterceptor {
        @Override
        public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
            return context.httpRequest().toBuilder().putHeader(ExecutionScope.INTERNAL_HEADER, "true").build();
        }
    }
}
