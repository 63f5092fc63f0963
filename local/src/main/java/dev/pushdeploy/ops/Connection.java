package dev.pushdeploy.ops;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * How the CLI reaches AWS: the SDK's default credentials and region (environment, profile, SSO,
 * instance role...), optionally with an endpoint override ({@code --endpoint-url}, or
 * {@code AWS_ENDPOINT_URL}, which the SDK reads itself). The local stack is reached the same way,
 * with its endpoint and static credentials: there is no other code path for it.
 *
 * @param endpoint null for AWS's own endpoints (or {@code AWS_ENDPOINT_URL})
 */
public record Connection(URI endpoint, Region region, AwsCredentialsProvider credentials) {
    private static final SdkHttpClient HTTP = UrlConnectionHttpClient.create();

    /**
     * The default chain's credentials and region ({@code regionName} overrides the region).
     *
     * @throws IllegalArgumentException when no region is configured anywhere
     */
    public static Connection defaults(URI endpoint, String regionName) {
        Region region;
        if (regionName != null && !regionName.isBlank()) {
            region = Region.of(regionName);
        } else {
            try {
                region = new DefaultAwsRegionProviderChain().getRegion();
            } catch (SdkClientException e) {
                throw new IllegalArgumentException("no AWS region configured: set AWS_REGION, a region in your AWS profile, or --region");
            }
        }
        return new Connection(endpoint, region, DefaultCredentialsProvider.builder().build());
    }

    /** An emulator at {@code endpoint} with static credentials. */
    public static Connection emulator(URI endpoint, String region, String accessKey, String secretKey) {
        return new Connection(endpoint, Region.of(region),
                StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)));
    }

    public <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C client(B builder) {
        builder.region(region).credentialsProvider(credentials).httpClient(HTTP);
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }

    SdkHttpClient http() {
        return HTTP;
    }

    /**
     * The endpoint of a service as the SDK would pick it: the override, {@code AWS_ENDPOINT_URL_<SERVICE>},
     * {@code AWS_ENDPOINT_URL} ({@code aws.endpointUrl}), else AWS's regional endpoint.
     */
    URI endpointOf(String service, String envSuffix) {
        if (endpoint != null) {
            return endpoint;
        }
        for (String configured : new String[] {System.getenv("AWS_ENDPOINT_URL_" + envSuffix),
                System.getenv("AWS_ENDPOINT_URL"), System.getProperty("aws.endpointUrl")}) {
            if (configured != null && !configured.isBlank()) {
                return URI.create(configured);
            }
        }
        return URI.create("https://" + service + "." + region.id() + "." + region.metadata().partition().dnsSuffix());
    }
}
