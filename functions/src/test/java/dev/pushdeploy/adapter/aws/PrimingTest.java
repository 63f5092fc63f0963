package dev.pushdeploy.adapter.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/** The priming guard with real SDK clients over a recording HTTP client: what leaves the process, and what does not. */
class PrimingTest {
    /** Operations the recorder received, answering each with an empty success. */
    final List<String> sent = new CopyOnWriteArrayList<>();
    final SdkHttpClient http = Priming.guarding(new Recorder());

    final EcsClient ecs = client(EcsClient.builder());
    final SsmClient ssm = client(SsmClient.builder());
    final DynamoDbClient dynamo = client(DynamoDbClient.builder());
    final SnsClient sns = client(SnsClient.builder());
    final EventBridgeClient events = client(EventBridgeClient.builder());
    final ElasticLoadBalancingV2Client elb = client(ElasticLoadBalancingV2Client.builder());

    @Test
    void outsideADryRunEveryRequestIsSent() {
        assertFalse(Priming.active());
        ecs.updateService(r -> r.cluster("c").service("s").taskDefinition("td"));
        sns.publish(r -> r.topicArn("arn:aws:sns:us-east-1:123456789012:t").message("m"));
        ssm.getParameter(r -> r.name("/p").withDecryption(true));
        assertEquals(List.of("UpdateService", "Publish", "GetParameter"), sent);
    }

    @Test
    void aDryRunSendsReadsAndAnswersEverythingElseInProcess() {
        Priming.Counts counts = Priming.dryRun(() -> {
            assertTrue(Priming.active());
            ecs.describeServices(r -> r.cluster("c").services("s"));
            ssm.getParameter(r -> r.name("/pushdeploy/config"));
            dynamo.getItem(r -> r.tableName("t").key(Map.of("pk", AttributeValue.fromS("k"))));
            dynamo.query(r -> r.tableName("t").keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("k"))));
            elb.describeTargetHealth(r -> r.targetGroupArn("arn:tg"));

            assertNull(ecs.updateService(r -> r.cluster("c").service("s").taskDefinition("td")).service());
            ecs.registerTaskDefinition(r -> r.family("f"));
            dynamo.putItem(r -> r.tableName("t").item(Map.of("pk", AttributeValue.fromS("k"))));
            dynamo.deleteItem(r -> r.tableName("t").key(Map.of("pk", AttributeValue.fromS("k"))));
            ssm.putParameter(r -> r.name("/p").value("v").overwrite(true));
            assertNull(sns.publish(r -> r.topicArn("arn:aws:sns:us-east-1:123456789012:t").message("m")).messageId());
            events.putEvents(r -> r.entries(e -> e.source("pushdeploy").detailType("d").detail("{}")));
        });
        assertEquals(List.of("DescribeServices", "GetParameter", "GetItem", "Query", "DescribeTargetHealth"), sent);
        assertEquals(new Priming.Counts(5, 7), counts);
        assertFalse(Priming.active());
    }

    @Test
    void aDryRunNeverFetchesASecretValue() {
        Priming.Counts counts = Priming.dryRun(() -> {
            assertNull(ssm.getParameter(r -> r.name("/pushdeploy/web/db-password/a").withDecryption(true)).parameter());
            ssm.getParameter(r -> r.name("/pushdeploy/web/db-password/a").withDecryption(false));
        });
        assertEquals(List.of("GetParameter"), sent);
        assertEquals(new Priming.Counts(1, 1), counts);
    }

    @Test
    void theDryRunEndsWhenItsPathThrows() {
        try {
            Priming.dryRun(() -> {
                throw new IllegalStateException("boom");
            });
        } catch (IllegalStateException expected) {
            assertEquals("boom", expected.getMessage());
        }
        assertFalse(Priming.active());
        ecs.updateService(r -> r.cluster("c").service("s").taskDefinition("td"));
        assertEquals(List.of("UpdateService"), sent);
    }

    @Test
    void readsAreKnownByTheirName() {
        for (String read : List.of("DescribeServices", "GetItem", "ListTasks", "Query", "Scan", "BatchGetItem")) {
            assertTrue(Priming.reads(read), read);
        }
        for (String write : List.of("UpdateService", "PutItem", "Publish", "SendTaskSuccess", "StopServiceDeployment",
                "DeregisterTaskDefinition", "BatchWriteItem", "TransactWriteItems")) {
            assertFalse(Priming.reads(write), write);
        }
        assertFalse(Priming.mayLeave("GetSecretValue", "{}"));
        assertFalse(Priming.mayLeave("GetParameters", "{\"Names\":[\"/a\"],\"WithDecryption\": true}"));
    }

    private <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C client(B builder) {
        return builder.httpClient(http).region(Region.US_EAST_1).endpointOverride(URI.create("http://localhost:1"))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .build();
    }

    private final class Recorder implements SdkHttpClient {
        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            String target = request.httpRequest().firstMatchingHeader("X-Amz-Target").orElse(null);
            String operation;
            byte[] body;
            if (target != null) {
                operation = target.substring(target.lastIndexOf('.') + 1);
                body = "{}".getBytes(StandardCharsets.UTF_8);
            } else {
                String form = read(request);
                operation = form.replaceAll("^.*?Action=([A-Za-z]+).*$", "$1");
                body = ("<" + operation + "Response><" + operation + "Result/></" + operation + "Response>")
                        .getBytes(StandardCharsets.UTF_8);
            }
            sent.add(operation);
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() {
                    return HttpExecuteResponse.builder().response(SdkHttpResponse.builder().statusCode(200).build())
                            .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body))).build();
                }

                @Override
                public void abort() {
                }
            };
        }

        private String read(HttpExecuteRequest request) {
            try (InputStream in = request.contentStreamProvider().orElseThrow().newStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String clientName() {
            return "recorder";
        }

        @Override
        public void close() {
        }
    }
}
