package dev.pushdeploy.request;

import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.ScanResult;
import dev.pushdeploy.model.ScanStatus;
import static dev.pushdeploy.request.PrepareFixture.NEW_DIGEST;
import static dev.pushdeploy.request.PrepareFixture.push;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.error.TransientException;
import dev.pushdeploy.ledger.MutableClock;
import dev.pushdeploy.request.ScanFindings.ScanReport;
import dev.pushdeploy.testing.SampleStack;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ScanGateTest {
    private final MutableClock clock = new MutableClock(PrepareFixture.NEW_PUSHED.plusSeconds(30));
    private final FakeRegistry registry = new FakeRegistry();

    static Stream<Arguments> verdicts() {
        return Stream.of(
                Arguments.of("HIGH", null, Map.of(), ScanStatus.PENDING, "no scan of " + NEW_DIGEST + " exists yet"),
                Arguments.of("HIGH", "IN_PROGRESS", Map.of(), ScanStatus.PENDING, "the scan of " + NEW_DIGEST + " is IN_PROGRESS"),
                Arguments.of("HIGH", "PENDING", Map.of(), ScanStatus.PENDING, "the scan of " + NEW_DIGEST + " is PENDING"),
                Arguments.of("HIGH", "COMPLETE", Map.of(), ScanStatus.PASSED, "no findings at or above HIGH"),
                Arguments.of("HIGH", "COMPLETE", Map.of("MEDIUM", 3, "LOW", 9), ScanStatus.PASSED, "no findings at or above HIGH"),
                Arguments.of("HIGH", "COMPLETE", Map.of("HIGH", 1), ScanStatus.FAILED, "1 finding(s) at or above HIGH: HIGH=1"),
                Arguments.of("HIGH", "COMPLETE", Map.of("CRITICAL", 2, "HIGH", 1, "LOW", 5), ScanStatus.FAILED,
                        "3 finding(s) at or above HIGH: CRITICAL=2, HIGH=1"),
                Arguments.of("HIGH", "COMPLETE", Map.of("HIGH", 0), ScanStatus.PASSED, "no findings at or above HIGH"),
                Arguments.of("LOW", "COMPLETE", Map.of("UNTRIAGED", 4, "UNDEFINED", 2, "INFORMATIONAL", 1), ScanStatus.PASSED,
                        "no findings at or above LOW"),
                Arguments.of("INFORMATIONAL", "COMPLETE", Map.of("INFORMATIONAL", 1), ScanStatus.FAILED,
                        "1 finding(s) at or above INFORMATIONAL: INFORMATIONAL=1"),
                Arguments.of("CRITICAL", "ACTIVE", Map.of("CRITICAL", 1, "HIGH", 7), ScanStatus.FAILED,
                        "1 finding(s) at or above CRITICAL: CRITICAL=1"),
                Arguments.of("CRITICAL", "ACTIVE", Map.of("HIGH", 7), ScanStatus.PASSED, "no findings at or above CRITICAL"),
                Arguments.of("HIGH", "FAILED", Map.of(), ScanStatus.FAILED, "the scan of " + NEW_DIGEST + " ended FAILED: boom"),
                Arguments.of("HIGH", "UNSUPPORTED_IMAGE", Map.of(), ScanStatus.FAILED,
                        "the scan of " + NEW_DIGEST + " ended UNSUPPORTED_IMAGE: boom"),
                Arguments.of("HIGH", "FINDINGS_UNAVAILABLE", Map.of(), ScanStatus.FAILED,
                        "the scan of " + NEW_DIGEST + " ended FINDINGS_UNAVAILABLE: boom"));
    }

    @ParameterizedTest(name = "severity {0}, scan {1} {2} → {3}")
    @MethodSource("verdicts")
    void judgesTheScan(String severity, String status, Map<String, Integer> counts, ScanStatus expected, String reason) {
        if (status != null) {
            registry.scan(NEW_DIGEST, new ScanReport(status, "boom", counts));
        }
        ScanResult result = gate(severity).check(request(severity));
        assertEquals(expected, result.status());
        assertEquals(reason, result.reason());
        assertEquals(counts, result.findingCounts());
        assertEquals(expected == ScanStatus.PENDING ? 300 : 0, result.recheckSeconds());
    }

    static final String AMD64 = "sha256:" + SampleStack.sha256("linux/amd64 image");
    static final String ARM64 = "sha256:" + SampleStack.sha256("linux/arm64 image");

    /** An image index (NEW_DIGEST), which ECR never scans (own: no scan, or UNSUPPORTED_IMAGE), of two platform images. */
    static Stream<Arguments> indexVerdicts() {
        String of1 = " (platform image 1 of 2 of the index " + NEW_DIGEST + ")";
        String of2 = " (platform image 2 of 2 of the index " + NEW_DIGEST + ")";
        return Stream.of(
                Arguments.of(null, "COMPLETE", Map.of(), "COMPLETE", Map.of("MEDIUM", 2), ScanStatus.PASSED,
                        "no findings at or above HIGH in the 2 platform image(s) of the index " + NEW_DIGEST, Map.of("MEDIUM", 2)),
                Arguments.of("UNSUPPORTED_IMAGE", "COMPLETE", Map.of(), "ACTIVE", Map.of(), ScanStatus.PASSED,
                        "no findings at or above HIGH in the 2 platform image(s) of the index " + NEW_DIGEST, Map.of()),
                Arguments.of(null, "COMPLETE", Map.of(), null, Map.of(), ScanStatus.PENDING, "no scan of " + ARM64 + " exists yet" + of2,
                        Map.of()),
                Arguments.of(null, "IN_PROGRESS", Map.of(), "COMPLETE", Map.of("LOW", 1), ScanStatus.PENDING,
                        "the scan of " + AMD64 + " is IN_PROGRESS" + of1, Map.of("LOW", 1)),
                Arguments.of(null, "IN_PROGRESS", Map.of(), "COMPLETE", Map.of("HIGH", 1), ScanStatus.FAILED,
                        "1 finding(s) at or above HIGH: HIGH=1" + of2, Map.of("HIGH", 1)),
                Arguments.of(null, "COMPLETE", Map.of("CRITICAL", 1, "HIGH", 2), "COMPLETE", Map.of("HIGH", 3), ScanStatus.FAILED,
                        "3 finding(s) at or above HIGH: CRITICAL=1, HIGH=2" + of1, Map.of("CRITICAL", 1, "HIGH", 3)),
                Arguments.of(null, "COMPLETE", Map.of(), "FAILED", Map.of(), ScanStatus.FAILED, "the scan of " + ARM64 + " ended FAILED: boom" + of2,
                        Map.of()));
    }

    @ParameterizedTest(name = "index scan {0}, amd64 {1} {2}, arm64 {3} {4} → {5}")
    @MethodSource("indexVerdicts")
    void judgesAnIndexByItsPlatformImages(String own, String amd64, Map<String, Integer> amd64Counts, String arm64,
            Map<String, Integer> arm64Counts, ScanStatus expected, String reason, Map<String, Integer> counts) {
        registry.repository("web").image("web", AMD64, null, PrepareFixture.NEW_PUSHED).image("web", ARM64, null, PrepareFixture.NEW_PUSHED)
                .index("web", NEW_DIGEST, "v1.1.0", List.of(AMD64, ARM64));
        if (own != null) {
            registry.scan(NEW_DIGEST, new ScanReport(own, "boom", Map.of()));
        }
        if (amd64 != null) {
            registry.scan(AMD64, new ScanReport(amd64, "boom", amd64Counts));
        }
        if (arm64 != null) {
            registry.scan(ARM64, new ScanReport(arm64, "boom", arm64Counts));
        }
        ScanResult result = gate("HIGH").check(request("HIGH"));
        assertEquals(expected, result.status());
        assertEquals(reason, result.reason());
        assertEquals(counts, result.findingCounts());
    }

    /** An image ECR could not scan is no index: it fails the gate (the platform images are asked, none found). */
    @Test
    void anUnsupportedImageThatIsNoIndexFails() {
        registry.scan(NEW_DIGEST, new ScanReport("UNSUPPORTED_IMAGE", "scratch", Map.of()));
        assertEquals("the scan of " + NEW_DIGEST + " ended UNSUPPORTED_IMAGE: scratch", gate("HIGH").check(request("HIGH")).reason());
    }

    /** Until the deadline (ms) → how long WaitForScan waits for the scan's event before it looks again. */
    @ParameterizedTest(name = "{0} ms before the deadline → {1} s")
    @CsvSource({"1800000, 300", "300000, 300", "299000, 300", "250500, 251", "100000, 101", "74000, 75", "1000, 75",
            "0, 75", "-60000, 75", "9223372036854775807, 300"})
    void waitsForTheScanEventAtMostFiveMinutesAndNotFarPastTheDeadline(long untilDeadline, int expected) {
        assertEquals(expected, ScanGate.recheckSeconds(untilDeadline));
    }

    @Test
    void thePendingAnswerWaitsUntilJustPastTheDeadlineNearIt() {
        ScanGate gate = gate("HIGH");
        DeployRequest request = request("HIGH");
        clock.set(java.time.Instant.ofEpochMilli(request.startedAt()).plusSeconds(ScanGate.DEFAULT_DEADLINE_SECONDS - 200));
        ScanResult result = gate.check(request);
        assertEquals(ScanStatus.PENDING, result.status());
        assertEquals(201, result.recheckSeconds());
        clock.advance(Duration.ofSeconds(result.recheckSeconds()));
        assertEquals(ScanStatus.TIMED_OUT, gate.check(request).status(), "the look after the wait finds the deadline passed");
    }

    /** Issue 8, case 8: a scan that never completes no longer keeps the execution looping. */
    @Test
    void aScanThatNeverCompletesTimesOutAtTheDeadline() {
        ScanGate gate = gate("HIGH");
        DeployRequest request = request("HIGH");
        clock.set(java.time.Instant.ofEpochMilli(request.startedAt()).plusSeconds(ScanGate.DEFAULT_DEADLINE_SECONDS - 1));
        assertEquals(ScanStatus.PENDING, gate.check(request).status());
        clock.advance(Duration.ofSeconds(1));
        ScanResult result = gate.check(request);
        assertEquals(ScanStatus.TIMED_OUT, result.status());
        assertEquals("no scan result for " + NEW_DIGEST + " within 1800 s (no scan of " + NEW_DIGEST + " exists yet)", result.reason());
        assertEquals(0, result.recheckSeconds());

        registry.scan(NEW_DIGEST, new ScanReport("COMPLETE", null, Map.of("HIGH", 1)));
        assertEquals(ScanStatus.FAILED, gate.check(request).status(), "a finished scan still decides");
    }

    /**
     * The first check, before the run waits, when the findings cannot be read (seconds since the run started → the
     * answer): not a failure of the push but a scan not known yet, waited for as a pending one is, and past the deadline
     * TIMED_OUT as a scan still pending then. Readable, the first check answers as the gate does.
     */
    @ParameterizedTest(name = "unreadable {0}, {1} s after the start → {2}, recheck {3} s")
    @CsvSource({"true, 30, PENDING, 300", "true, 1700, PENDING, 101", "true, 1800, TIMED_OUT, 0",
            "false, 30, PENDING, 300", "false, 1800, TIMED_OUT, 0"})
    void aFirstCheckThatCannotReadTheScanWaitsForIt(boolean unreadable, long seconds, ScanStatus expected, int recheck) {
        ScanFindings findings = registry.throttledWhile(() -> unreadable);
        DeployRequest request = request("HIGH");
        clock.set(java.time.Instant.ofEpochMilli(request.startedAt()).plusSeconds(seconds));
        ScanGate gate = new ScanGate(ConfigSource.of(ConfigParser.parse(SampleStack.configDocument("HIGH"))), findings, clock);

        ScanResult result = gate.firstCheck(request);

        assertEquals(expected, result.status(), result.reason());
        assertEquals(recheck, result.recheckSeconds());
        assertEquals(unreadable, result.reason().contains("the scan could not be read: ecr:DescribeImageScanFindings"), result.reason());
        if (unreadable) {
            assertThrows(TransientException.class, () -> gate.check(request), "the wait's own check still tells it apart");
        }
    }

    @Test
    void passesWhenNoGateIsConfigured() {
        registry.scan(NEW_DIGEST, new ScanReport("COMPLETE", null, Map.of("CRITICAL", 5)));
        ScanResult unconfigured = gate(null).check(request(null));
        assertEquals(ScanStatus.PASSED, unconfigured.status());
        assertEquals("no scan gate is configured for pushdeploy/web", unconfigured.reason());
    }

    @Test
    void passesRequestsTheGateDoesNotApplyTo() {
        registry.scan(NEW_DIGEST, new ScanReport("COMPLETE", null, Map.of("CRITICAL", 5)));
        DeployRequest rotate = new PrepareFixture(SampleStack.configDocument("HIGH")).prepare("{\"action\":\"rotate\",\"service\":\"pushdeploy/web\"}");
        ScanResult result = gate("HIGH").check(rotate);
        assertEquals(ScanStatus.PASSED, result.status());
        assertEquals("the scan gate does not apply to a ROTATE request", result.reason());
    }

    @Test
    void rejectsARequestWithoutDigest() {
        assertThrows(InvalidRequestException.class, () -> gate("HIGH").check(DeployRequest.ended("x", Decision.REJECTED, "bad")));
    }

    private ScanGate gate(String severity) {
        return new ScanGate(ConfigSource.of(ConfigParser.parse(SampleStack.configDocument(severity))), registry, clock);
    }

    private static DeployRequest request(String severity) {
        PrepareFixture fixture = new PrepareFixture(SampleStack.configDocument(severity));
        DeployRequest request = fixture.prepare(push("v1.1.0", NEW_DIGEST));
        assertEquals(Decision.PROCEED, request.decision());
        return request;
    }
}
