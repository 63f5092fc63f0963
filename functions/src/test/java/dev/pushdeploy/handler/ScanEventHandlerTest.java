package dev.pushdeploy.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.ledger.MutableClock;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.ScanStatus;
import dev.pushdeploy.request.FakeRegistry;
import dev.pushdeploy.request.FakeScanWatches;
import dev.pushdeploy.request.ScanFindings.ScanReport;
import dev.pushdeploy.request.ScanWatch;
import dev.pushdeploy.testing.SampleStack;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scan events as ECR's and Amazon Inspector's documentation show them, each resuming the run that waits for its image. */
class ScanEventHandlerTest {
    private static final String DIGEST = "sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234";
    /** ECR's "Event for a completed image scan" (basic scanning), for the repository web. */
    private static final String ECR_IMAGE_SCAN = """
            {"version": "0", "id": "85fc3613-e913-7fc4-a80c-a3753e4aa9ae", "detail-type": "ECR Image Scan",
             "source": "aws.ecr", "account": "123456789012", "time": "2019-10-29T02:36:48Z", "region": "us-east-1",
             "resources": ["arn:aws:ecr:us-east-1:123456789012:repository/web"],
             "detail": {"scan-status": "COMPLETE", "repository-name": "web",
                        "finding-severity-counts": {"CRITICAL": 10, "MEDIUM": 9}, "image-digest": "%s", "image-tags": []}}"""
            .formatted(DIGEST);
    /** Amazon Inspector's "Inspector2 Scan" of an ECR image (enhanced scanning): the repository by its ARN. */
    private static final String INSPECTOR2_SCAN = """
            {"version": "0", "id": "739c0d3c-4f02-85c7-5a88-94a9EXAMPLE", "detail-type": "Inspector2 Scan",
             "source": "aws.inspector2", "account": "123456789012", "time": "2021-12-03T18:03:16Z", "region": "us-east-2",
             "resources": ["arn:aws:ecr:us-east-2:123456789012:repository/web"],
             "detail": {"scan-status": "INITIAL_SCAN_COMPLETE",
                        "repository-name": "arn:aws:ecr:us-east-2:123456789012:repository/web",
                        "finding-severity-counts": {"CRITICAL": 7, "HIGH": 61, "MEDIUM": 62, "TOTAL": 158},
                        "image-digest": "%s", "image-tags": ["latest"]}}""".formatted(DIGEST);

    private final FakeRegistry registry = new FakeRegistry();
    private final FakeScanWatches watches = new FakeScanWatches();
    private final ScanEventHandler handler = new ScanEventHandler(ConfigSource.of(ConfigParser.parse(SampleStack.configDocument("HIGH"))),
            registry, watches, watches, new MutableClock(Instant.parse("2025-01-02T10:01:00Z")));

    @Test
    void ecrsScanEventAnswersTheRunWaitingForTheImage() {
        watches.register(new ScanWatch("t1", waiting("web"), Long.MAX_VALUE / 1000, 0));
        registry.scan(DIGEST, new ScanReport("COMPLETE", null, Map.of("CRITICAL", 10, "MEDIUM", 9)));

        ScanEventHandler.Answer answer = invoke(ECR_IMAGE_SCAN);

        assertEquals("web", answer.repository());
        assertEquals(DIGEST, answer.digest());
        assertEquals(ScanStatus.FAILED, watches.answered().get("t1").status());
        assertEquals("10 finding(s) at or above HIGH: CRITICAL=10", watches.answered().get("t1").reason());
    }

    @Test
    void inspectorsEventNamesTheRepositoryByItsArn() {
        watches.register(new ScanWatch("t1", waiting("web"), Long.MAX_VALUE / 1000, 0));
        registry.scan(DIGEST, new ScanReport("ACTIVE", null, Map.of("MEDIUM", 62)));

        ScanEventHandler.Answer answer = invoke(INSPECTOR2_SCAN);

        assertEquals("web", answer.repository());
        assertEquals(ScanStatus.PASSED, watches.answered().get("t1").status());
    }

    @Test
    void theGateReadsTheFindingsInsteadOfTrustingTheEventsCounts() {
        watches.register(new ScanWatch("t1", waiting("web"), Long.MAX_VALUE / 1000, 0));
        registry.scan(DIGEST, new ScanReport("IN_PROGRESS", null, Map.of()));

        ScanEventHandler.Answer answer = invoke(ECR_IMAGE_SCAN);

        assertEquals(ScanStatus.PENDING, answer.answers().get(0).status());
        assertTrue(watches.answered().isEmpty(), "still waiting: " + watches.answered());
    }

    @Test
    void anEventThatIsNoScanOfAnImageIsRefused() {
        InvalidRequestException refused = assertThrows(InvalidRequestException.class, () -> invoke("""
                {"source": "aws.ecr", "detail-type": "ECR Image Action", "detail": {"repository-name": "web", "action-type": "PUSH"}}"""));
        assertTrue(refused.getMessage().contains("ECR Image Action"), refused.getMessage());
        assertThrows(InvalidRequestException.class, () -> invoke(ECR_IMAGE_SCAN.replace("aws.ecr", "aws.ecs")));
    }

    private ScanEventHandler.Answer invoke(String event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
        return Json.read(out.toString(StandardCharsets.UTF_8), ScanEventHandler.Answer.class);
    }

    private static DeployRequest waiting(String repository) {
        return DeployRequest.builder().requestId("push-web-v1-1-0").action(Action.DEPLOY).cluster("pushdeploy").service("web")
                .repository(repository).digest(DIGEST).image(FakeRegistry.REGISTRY + "/" + repository + "@" + DIGEST)
                .decision(Decision.PROCEED).scanGate(true).startedAt(Instant.parse("2025-01-02T10:00:01Z").toEpochMilli()).build();
    }
}
