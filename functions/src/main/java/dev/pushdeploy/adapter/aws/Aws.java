package dev.pushdeploy.adapter.aws;

import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import java.time.Duration;

/**
 * SDK clients, built once per execution environment (lazily, one holder class each) with the
 * URL-connection HTTP client (behind {@link Priming}'s guard). Region and endpoint come from the SDK's standard sources
 * ({@code AWS_REGION}, {@code AWS_ENDPOINT_URL} / {@code aws.endpointUrl}); there is no
 * emulator switch here. Every call, its retries included, ends within {@link #CALL_TIMEOUT} and within the
 * invocation's {@link CallDeadline}.
 */
public final class Aws {
    /**
     * One call's bound, the SDK's retries included: above the socket timeout, so that a read that stalls once is
     * retried, and below the 60 s most functions have (a shorter one's calls end by its deadline).
     */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(40);

    private Aws() {
    }

    public static SdkHttpClient http() {
        return Http.CLIENT;
    }

    /** Applies the shared HTTP client and the calls' bounds to any sync client builder. */
    public static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder) {
        return builder.httpClient(Http.CLIENT)
                .overrideConfiguration(c -> c.apiCallTimeout(CALL_TIMEOUT).addExecutionInterceptor(new CallDeadline()))
                .build();
    }

    public static EcsClient ecs() {
        return EcsHolder.CLIENT;
    }

    public static SsmClient ssm() {
        return SsmHolder.CLIENT;
    }

    public static EcrClient ecr() {
        return EcrHolder.CLIENT;
    }

    public static DynamoDbClient dynamoDb() {
        return DynamoHolder.CLIENT;
    }

    public static SnsClient sns() {
        return SnsHolder.CLIENT;
    }

    public static EventBridgeClient eventBridge() {
        return EventsHolder.CLIENT;
    }

    public static ElasticLoadBalancingV2Client elb() {
        return ElbHolder.CLIENT;
    }

    public static CloudWatchClient cloudWatch() {
        return CloudWatchHolder.CLIENT;
    }

    public static SfnClient sfn() {
        return SfnHolder.CLIENT;
    }

    private static final class Http {
        static final SdkHttpClient CLIENT = Priming.guarding(UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(5))
                .socketTimeout(Duration.ofSeconds(30))
                .build());
    }

    private static final class EcsHolder {
        static final EcsClient CLIENT = build(EcsClient.builder());
    }

    private static final class SsmHolder {
        static final SsmClient CLIENT = build(SsmClient.builder());
    }

    private static final class EcrHolder {
        static final EcrClient CLIENT = build(EcrClient.builder());
    }

    private static final class DynamoHolder {
        static final DynamoDbClient CLIENT = build(DynamoDbClient.builder());
    }

    private static final class SnsHolder {
        static final SnsClient CLIENT = build(SnsClient.builder());
    }

    private static final class EventsHolder {
        static final EventBridgeClient CLIENT = build(EventBridgeClient.builder());
    }

    private static final class SfnHolder {
        static final SfnClient CLIENT = build(SfnClient.builder());
    }

    private static final class ElbHolder {
        static final ElasticLoadBalancingV2Client CLIENT = build(ElasticLoadBalancingV2Client.builder());
    }

    private static final class CloudWatchHolder {
        static final CloudWatchClient CLIENT = build(CloudWatchClient.builder());
    }
}
