package dev.pushdeploy.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pushdeploy.adapter.aws.EcrRegistry;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.ledger.MutableClock;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.ScanResult;
import dev.pushdeploy.model.ScanStatus;
import dev.pushdeploy.request.FakeRegistry;
import dev.pushdeploy.request.FakeScanWatches;
import dev.pushdeploy.request.ScanWatch;
import dev.pushdeploy.testing.SampleStack;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.DescribeImageScanFindingsRequest;
import software.amazon.awssdk.services.ecr.model.DescribeImageScanFindingsResponse;
import software.amazon.awssdk.services.ecr.model.ImageNotFoundException;

/**
 * Audit: an image deleted while its run waits for its scan. ECR's DescribeImageScanFindings answers such an image with
 * ImageNotFoundException ("The image requested does not exist in the specified repository",
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImageScanFindings.html), which the ECR adapter
 * does not catch: the gate's look throws a non-transient AwsFailureException. The run's watch stays stored (it is removed
 * only when answered; kept up to a day), and every scan event of the repository looks at each stored watch: the first
 * look at the deleted image aborts the event, so the other runs waiting in that repository are not resumed by it.
 */
class ScanEventDeletedImageTest {
    private static final String DELETED = "sha256:" + "a".repeat(64);
    private static final String LIVE = "sha256:" + "b".repeat(64);

    private final FakeScanWatches watches = new FakeScanWatches();
    private final ScanEventHandler handler = new ScanEventHandler(ConfigSource.of(ConfigParser.parse(SampleStack.configDocument("HIGH"))),
            new EcrRegistry(ecr()), watches, watches, new MutableClock(Instant.parse("2025-01-02T10:01:00Z")));

    @Test
    void aRunWhoseImageWasDeletedDoesNotKeepTheOtherWaitingRunsFromTheirAnswer() {
        // Two pushes of the service wait for their scans (ScanGate runs before the lock); then the first image is deleted.
        watches.register(new ScanWatch("t-deleted", waiting("push-web-1", DELETED), Long.MAX_VALUE / 1000, 0));
        watches.register(new ScanWatch("t-live", waiting("push-web-2", LIVE), Long.MAX_VALUE / 1000, 0));

        RuntimeException failed = null;
        try {
            invoke(ecrImageScan(LIVE));
        } catch (RuntimeException e) {
            failed = e;
        }

        assertEquals(ScanStatus.PASSED, Optional.ofNullable(watches.answered().get("t-live")).map(ScanResult::status).orElse(null),
                "ECR's scan event of " + LIVE + " (clean, COMPLETE) must resume the run waiting for it, even though another run "
                        + "waiting in the repository had its image deleted (DescribeImageScanFindings answers ImageNotFoundException "
                        + "for it); instead the event failed with " + failed + " and the live run waits for its recheck, while the "
                        + "deleted image's watch stays stored and fails every later scan event of the repository the same way "
                        + "(watches left: " + watches.watches().stream().map(ScanWatch::token).toList() + ")");
        assertEquals(null, failed);
        ScanResult deleted = watches.answered().get("t-deleted");
        assertEquals(ScanStatus.FAILED, deleted.status(), "the run of the deleted image is answered for good");
        assertEquals(true, deleted.reason().contains("ended IMAGE_NOT_FOUND: the image is no longer in the repository"), deleted.reason());
        assertEquals(java.util.List.of(), watches.watches(), "no watch left to fail later events");
    }

    /** ECR over the SDK's client: the deleted image is not found, the live one's scan is complete without findings. */
    private static EcrClient ecr() {
        InvocationHandler answers = (proxy, method, args) -> {
            if (method.getName().equals("describeImageScanFindings") && args != null && args.length == 1
                    && args[0] instanceof DescribeImageScanFindingsRequest request) {
                if (DELETED.equals(request.imageId().imageDigest())) {
                    String message = "The image with imageId {imageDigest:'" + DELETED + "', imageTag:'null'} does not exist within "
                            + "the repository with name '" + request.repositoryName() + "' in the registry with id '123456789012'";
                    throw ImageNotFoundException.builder().message(message).statusCode(400)
                            .awsErrorDetails(AwsErrorDetails.builder().errorCode("ImageNotFoundException").errorMessage(message)
                                    .serviceName("Ecr").build())
                            .build();
                }
                return DescribeImageScanFindingsResponse.builder().repositoryName(request.repositoryName())
                        .imageId(request.imageId())
                        .imageScanStatus(s -> s.status("COMPLETE").description("The scan was completed successfully."))
                        .imageScanFindings(f -> f.findingSeverityCountsWithStrings(Map.of()))
                        .build();
            }
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            if (method.getName().equals("serviceName")) {
                return "ecr";
            }
            if (method.getName().equals("close")) {
                return null;
            }
            throw new UnsupportedOperationException(method.getName());
        };
        return (EcrClient) Proxy.newProxyInstance(EcrClient.class.getClassLoader(), new Class<?>[] {EcrClient.class}, answers);
    }

    /** ECR's "ECR Image Scan" event (basic scanning) of an image of the repository web. */
    private static String ecrImageScan(String digest) {
        return """
                {"version": "0", "id": "85fc3613-e913-7fc4-a80c-a3753e4aa9ae", "detail-type": "ECR Image Scan",
                 "source": "aws.ecr", "account": "123456789012", "time": "2025-01-02T10:01:00Z", "region": "us-east-1",
                 "resources": ["arn:aws:ecr:us-east-1:123456789012:repository/web"],
                 "detail": {"scan-status": "COMPLETE", "repository-name": "web", "finding-severity-counts": {},
                            "image-digest": "%s", "image-tags": ["v1.1.0"]}}""".formatted(digest);
    }

    private void invoke(String event) {
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(), null);
    }

    private static DeployRequest waiting(String requestId, String digest) {
        return DeployRequest.builder().requestId(requestId).action(Action.DEPLOY).cluster("pushdeploy").service("web")
                .repository("web").digest(digest).image(FakeRegistry.REGISTRY + "/web@" + digest)
                .decision(Decision.PROCEED).scanGate(true).startedAt(Instant.parse("2025-01-02T10:00:01Z").toEpochMilli()).build();
    }
}
