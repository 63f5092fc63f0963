package dev.pushdeploy.local.e2e;

import java.util.TreeMap;
import static dev.pushdeploy.testing.HistoryEvents.firstEnteredAt;
import static dev.pushdeploy.testing.HistoryEvents.lastExitedAt;
import static dev.pushdeploy.testing.HistoryEvents.scanEventAt;
import static dev.pushdeploy.testing.HistoryEvents.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.aws.EcrRegistry;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.ops.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.ecr.EcrScans;
import dev.pushdeploy.local.time.TimeKeeper;
import dev.pushdeploy.model.QuickRetry;
import dev.pushdeploy.request.ScanGate;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.UnsupportedImageTypeException;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.ecs.Throttling;
import dev.pushdeploy.local.lambda.Fault;
import dev.pushdeploy.local.run.RunResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scan gate on (template parameters {@code EnableScanGate=true}, {@code ScanGateSeverity}),
 * through the real state machine: the runtime starts the scan of every push, as ECR's scan on
 * push does; the scan takes its simulated time ({@link EcrScans}), then finds one HIGH (moto's
 * findings) and sends ECR's "ECR Image Scan" event.
 */
class ScanGateIT {
    private static final List<String> SCAN_STATES = List.of("ScanGate", "ScanDecision", "WaitForScan");

    /**
     * A new image (the bootstrap pushed v1.1.0 already, its scan long done) whose scan takes a minute: the run waits for it with a task token and ECR's event answers the wait within seconds of
     * the scan's end, with one wait (polling every 10 s would have looked 7 times, 20 transitions, by its schedule).
     */
    @Test
    void aScanOfAMinuteIsAnsweredByItsEventWithinSeconds() {
        Workflow workflow = new Workflow(TestRuntime.fresh("CRITICAL"));
        workflow.runtime.scans().scanSeconds(60);
        RunResult result = workflow.push("v1.3.0", Scenario.HEALTHY);

        assertEquals("SUCCEEDED", result.outcome(), result.reason());
        assertEquals(List.of("ScanGate", "ScanDecision", "WaitForScan", "ScanDecision"), path(result, SCAN_STATES));
        double scanned = scanEventAt(workflow.runtime.bus(), result.image().substring(result.image().indexOf('@') + 1));
        double answered = lastExitedAt(result.history(), "WaitForScan");
        assertTrue(answered - scanned >= 0 && answered - scanned < 2, "answered " + (answered - scanned) + " s after ECR's event");
        assertTrue(scanned - workflow.pushedAt(result) / 1000.0 >= 60, "the scan took its minute");
        assertEquals(result.image(), workflow.liveImage());
    }

    /**
     * A multi-platform push (events/ecr-push-image-index.json: an OCI index; the runtime pushes its two platform images
     * first, with BuildKit's attestations in the index): ECR scans the platform images, never the index, and each scan's
     * event names its own image. The run waits until the last of them and is answered within seconds of its event.
     * Before, the gate found no scan of the index's digest and waited out its 30-minute deadline (TIMED_OUT).
     */
    @Test
    void aMultiPlatformImageWaitsForTheScansOfItsPlatformImages() throws Exception {
        IndexRun run = IndexRun.of("CRITICAL", 60);
        Workflow workflow = run.workflow();
        String index = run.index();
        RunResult result = run.result();

        assertEquals("SUCCEEDED", result.outcome(), result.reason());
        assertEquals(List.of("ScanGate", "ScanDecision", "WaitForScan", "ScanDecision"), path(result, SCAN_STATES));
        EcrClient ecr = workflow.runtime.clients().build(EcrClient.builder());
        List<String> platforms = new EcrRegistry(ecr).platformImages(workflow.web.target().repository(), index);
        assertEquals(2, platforms.size(), "the index names two platform images, not its attestations: " + platforms);
        List<String> scanned = workflow.runtime.bus().published().stream()
                .filter(p -> "ECR Image Scan".equals(p.event().path("detail-type").asText()))
                .map(p -> p.event().path("detail").path("image-digest").asText()).toList();
        assertTrue(scanned.containsAll(platforms), "each platform image's scan sent its event: " + scanned);
        assertFalse(scanned.contains(index), "the index is not scanned");
        double firstScan = Math.min(scanEventAt(workflow.runtime.bus(), platforms.get(0)), scanEventAt(workflow.runtime.bus(), platforms.get(1)));
        double lastScan = Math.max(scanEventAt(workflow.runtime.bus(), platforms.get(0)), scanEventAt(workflow.runtime.bus(), platforms.get(1)));
        assertTrue(firstScan - seconds(result.history().get(0)) >= 55, "both scans took their minute after the push, as the run began: "
                + (firstScan - seconds(result.history().get(0))) + " s");
        double answered = lastExitedAt(result.history(), "WaitForScan");
        assertTrue(answered - lastScan >= 0 && answered - lastScan < 2, "answered " + (answered - lastScan) + " s after the last scan event");
        assertTrue(result.image().endsWith("@" + index), "the index is what goes live: " + result.image());
        assertEquals(result.image(), workflow.liveImage());
        UnsupportedImageTypeException refused = assertThrows(UnsupportedImageTypeException.class, () -> ecr.startImageScan(
                r -> r.repositoryName(workflow.web.target().repository()).imageId(i -> i.imageDigest(index))));
        assertTrue(refused.getMessage().startsWith("An artifact with media type 'application/vnd.oci.image.index.v1+json' cannot be scanned."),
                "as ECR refuses it: " + refused.getMessage());
    }

    /** A finding in a platform image rejects the whole index, naming the image. */
    @Test
    void aFindingInOnePlatformImageRejectsTheIndex() throws Exception {
        IndexRun run = IndexRun.of("HIGH", 30);

        assertEquals("REJECTED", run.result().outcome(), run.result().reason());
        assertEquals("1 finding(s) at or above HIGH: HIGH=1 (platform image 1 of 2 of the index " + run.index() + ")", run.result().reason());
        assertEquals(List.of(), scanWatches(run.workflow()), "no watch is left behind");
    }

    /** events/ecr-push-image-index.json run under the gate at {@code severity}, its images' scans taking {@code scanSeconds}. */
    private record IndexRun(Workflow workflow, String index, RunResult result) {
        static IndexRun of(String severity, int scanSeconds) throws java.io.IOException {
            Workflow workflow = new Workflow(TestRuntime.fresh(severity));
            workflow.runtime.scans().scanSeconds(scanSeconds);
            String event = Files.readString(Path.of("../events/ecr-push-image-index.json"));
            return new IndexRun(workflow, Json.tree(event).path("detail").path("image-digest").asText(), workflow.run(event, Scenario.HEALTHY));
        }
    }

    @Test
    void findingsReportedByTheEventRejectTheImageAfterTheWait() {
        Workflow workflow = new Workflow(TestRuntime.fresh("HIGH"));
        workflow.runtime.scans().scanSeconds(90);
        String initial = workflow.web.initialTaskDefinition();
        RunResult result = workflow.push("v1.3.0", Scenario.HEALTHY);

        assertEquals("REJECTED", result.outcome(), result.reason());
        assertEquals("1 finding(s) at or above HIGH: HIGH=1", result.reason());
        assertEquals(List.of("ScanGate", "ScanDecision", "WaitForScan", "ScanDecision"), path(result, SCAN_STATES));
        assertEquals(initial, workflow.liveTaskDefinition());
        assertFalse(workflow.lockHeld());
        assertEquals(List.of(), scanWatches(workflow), "no watch is left behind");
    }

    /** The scan's event never reaches the run (its watch is gone): the wait times out and looks again, nothing worse. */
    @Test
    void aLostScanEventOnlyDelaysUntilTheRecheck() throws InterruptedException {
        Workflow workflow = new Workflow(TestRuntime.fresh("CRITICAL"));
        workflow.runtime.scans().scanSeconds(60);
        LocalRuntime.Run run = workflow.start(workflow.pushEvent("v1.3.0"), Scenario.HEALTHY, "lost-scan-event");
        RunResult result;
        try (TimeKeeper.Activity held = workflow.runtime.holdTime()) {
            workflow.awaitItsScanWatched("lost-scan-event");
            scanWatches(workflow).forEach(key -> workflow.dynamo().deleteItem(r -> r.tableName(workflow.runtime.stack().table()).key(key)));
        }
        result = run.await();

        assertEquals("SUCCEEDED", result.outcome(), result.reason());
        assertEquals(List.of("ScanGate", "ScanDecision", "WaitForScan", "WaitForScan", "ScanDecision"), path(result, SCAN_STATES));
        double waited = lastExitedAt(result.history(), "WaitForScan") - firstEnteredAt(result.history(), "WaitForScan");
        assertTrue(waited >= ScanGate.MAX_RECHECK_SECONDS && waited < ScanGate.MAX_RECHECK_SECONDS + 30,
                "answered by the recheck " + waited + " s after the wait began");
    }

    /**
     * ECR's findings cannot be read (throttled beyond the SDK's retries) at any of the wait's own looks, one per attempt its
     * Retry allows, while a two-minute scan runs: the wait looks again within seconds while its Retry lasts, then waits
     * for the scan's event, which answers it. Before, the Retry ran out and the push failed before its deployment.
     */
    @Test
    void aWaitThatCannotReadTheScanLooksAgainAsItsRetryAllowsThenWaitsForTheEvent() {
        Workflow workflow = new Workflow(TestRuntime.fresh("CRITICAL"));
        workflow.runtime.scans().scanSeconds(120);
        // ScanGate's look (the first call) reads; the wait's seven are throttled
        workflow.runtime.scans().throttling(Throttling.outage("DescribeImageScanFindings", 1, QuickRetry.RETRIES + 1));
        RunResult result = workflow.push("v1.3.0", Scenario.HEALTHY);

        assertEquals("SUCCEEDED", result.outcome(), result.reason() + "; " + failedTasks(result));
        assertEquals(Collections.nCopies(QuickRetry.RETRIES, "dev.pushdeploy.error.TransientException"), failedTasks(result),
                "each look the Retry allows but the last ended its task");
        assertEquals(List.of("ScanGate", "ScanDecision", "WaitForScan", "ScanDecision"), path(result, SCAN_STATES));
        double scanned = scanEventAt(workflow.runtime.bus(), result.image().substring(result.image().indexOf('@') + 1));
        double answered = lastExitedAt(result.history(), "WaitForScan");
        assertTrue(answered - scanned >= 0 && answered - scanned < 2, "answered " + (answered - scanned) + " s after ECR's event");
        assertEquals(result.image(), workflow.liveImage());
    }

    /**
     * The gate's first look (the ScanGate step, before any wait) and the wait's six looks cannot read the findings
     * (throttled beyond the SDK's retries) while a two-minute scan runs: the first answers PENDING, the run waits and its
     * Retry looks again, the wait's seventh look reads the scan still running, and the scan's event answers. Before, the
     * ScanGate step's own Retry ran out and the push failed before its deployment.
     */
    @Test
    void aFirstLookThatCannotReadTheScanLeavesItToTheWait() {
        Workflow workflow = new Workflow(TestRuntime.fresh("CRITICAL"));
        workflow.runtime.scans().scanSeconds(120);
        workflow.runtime.scans().throttling(Throttling.outage("DescribeImageScanFindings", 0, 1 + QuickRetry.RETRIES));
        RunResult result = workflow.push("v1.3.0", Scenario.HEALTHY);

        assertEquals("SUCCEEDED", result.outcome(), result.reason() + "; " + failedTasks(result));
        assertEquals(List.of("ScanGate", "ScanDecision", "WaitForScan", "ScanDecision"), path(result, SCAN_STATES));
        assertEquals(Collections.nCopies(QuickRetry.RETRIES, "dev.pushdeploy.error.TransientException"), failedTasks(result),
                "the wait's looks the Retry allows ended its task; the first look answered");
        assertEquals(result.image(), workflow.liveImage());
    }

    /**
     * The scan's event comes, and its look cannot read the findings (throttled beyond the SDK's retries): the run, whose
     * wait has quick retries left (two of its looks were throttled too), is resumed PENDING and watches again at once,
     * answered within seconds of the event. Before, the event's look failed for EventBridge to deliver it again, a minute
     * later.
     */
    @Test
    void anEventsLookThatCannotReadTheScanHasTheRunWatchAgainAtOnce() {
        Workflow workflow = new Workflow(TestRuntime.fresh("CRITICAL"));
        workflow.runtime.scans().scanSeconds(120);
        // ScanGate's look (1) reads, the wait's first two (2, 3) are throttled, its third (4) reads, the event's (5) is throttled
        workflow.runtime.scans().throttling(Throttling.calls("DescribeImageScanFindings", 2, 3, 5));
        RunResult result = workflow.push("v1.3.0", Scenario.HEALTHY);

        assertEquals("SUCCEEDED", result.outcome(), result.reason() + "; " + failedTasks(result));
        assertEquals(Collections.nCopies(2, "dev.pushdeploy.error.TransientException"), failedTasks(result));
        assertEquals(List.of("ScanGate", "ScanDecision", "WaitForScan", "ScanDecision", "WaitForScan", "ScanDecision"),
                path(result, SCAN_STATES));
        double scanned = scanEventAt(workflow.runtime.bus(), result.image().substring(result.image().indexOf('@') + 1));
        double answered = lastExitedAt(result.history(), "WaitForScan");
        assertTrue(answered - scanned >= 0 && answered - scanned < 5, "answered " + (answered - scanned) + " s after ECR's event");
        assertEquals(result.image(), workflow.liveImage());
        assertEquals(List.of(), scanWatches(workflow), "no watch is left behind");
    }

    /** The errors of the run's failed token tasks (WaitForScan's attempts), in order. */
    private static List<String> failedTasks(RunResult result) {
        List<String> errors = new ArrayList<>();
        for (JsonNode event : result.history()) {
            if (event.path("type").asText().equals("TaskFailed")) {
                errors.add(event.path("taskFailedEventDetails").path("error").asText());
            }
        }
        return errors;
    }

    /**
     * A push waits for its image's scan; meanwhile a rotation by hand takes the lock, writes the slots the push read as
     * inactive and makes them live. When the scan passes, the push takes the free lock with what it prepared before: it
     * must not write those slots, now live, again (for a database secret, the live role's password would change under
     * the running tasks). Its rotation writes nothing and the run is prepared again from the rotation's revision: it
     * rotates the slots that are inactive now and deploys its image on top of that revision.
     */
    @Test
    void aPushWhoseServiceMovedWhileItWaitedForItsScanIsPreparedAgainAndWritesNoLiveSlot() throws InterruptedException {
        Workflow workflow = new Workflow(TestRuntime.fresh("CRITICAL"));
        workflow.runtime.scans().scanSeconds(1500); // within the gate's 1,800 s, longer than the rotation's whole run
        LocalRuntime.Run push;
        LocalRuntime.Run rotating;
        // Simulated time at the wall clock's pace until the rotation runs: with only the push waiting, the clock would
        // skip to the scan's end before the rotation started, and the push would take the lock first.
        try (var wallPace = workflow.runtime.holdTime()) {
            push = workflow.start(workflow.pushEvent("v1.3.0"), Scenario.HEALTHY, "push-while-rotated");
            assertEquals("WaitForScan", workflow.awaitState("push-while-rotated", "WaitForScan"));
            rotating = workflow.start("{\"action\":\"rotate\",\"service\":\"pushdeploy/web\"}", Scenario.HEALTHY, "rotate-while-scanned");
            assertEquals("Lock", workflow.awaitState("rotate-while-scanned", "Lock"));
        }

        RunResult rotation = rotating.await();
        assertEquals("SUCCEEDED", rotation.outcome(), rotation.reason());
        String rotated = workflow.liveTaskDefinition();
        Map<String, String> rotationSlots = workflow.liveContainer().liveSecrets();
        Map<String, Long> liveVersions = new TreeMap<>();
        rotationSlots.values().forEach(parameter ->
                liveVersions.put(parameter, workflow.ssm().getParameter(r -> r.name(parameter)).parameter().version()));
        assertFalse(liveVersions.isEmpty());

        RunResult result = push.await();

        assertEquals("SUCCEEDED", result.outcome(), result.reason());
        assertEquals(2, workflow.timesEntered(result, "RotateSecrets"), "rotated once more, from where the service is");
        assertTrue(workflow.entered(result, "PrepareAgain"), "prepared again after its rotation found the service moved");
        assertFalse(workflow.entered(result, "MovedAgain"));
        liveVersions.forEach((parameter, version) -> assertEquals(version,
                workflow.ssm().getParameter(r -> r.name(parameter)).parameter().version(), parameter + " was live: not written again"));
        assertEquals(result.image(), workflow.liveImage());
        assertEquals(rotated, workflow.derivedFrom(workflow.liveTaskDefinition()), "the release builds on the rotation's revision");
        Map<String, String> releaseSlots = workflow.liveContainer().liveSecrets();
        assertEquals(rotationSlots.keySet(), releaseSlots.keySet());
        rotationSlots.forEach((secret, parameter) -> assertNotEquals(parameter, releaseSlots.get(secret),
                secret + " moves to the slot the rotation left inactive"));
        assertFalse(workflow.lockHeld(), "lock released");
        assertEquals(List.of("SUCCEEDED", "SUCCEEDED"), workflow.notifiedOutcomes());
    }

    @Test
    void aHighFindingPassesACriticalGateAndTheImageGoesLive() {
        Workflow workflow = new Workflow(TestRuntime.fresh("CRITICAL"));
        String initial = workflow.web.initialTaskDefinition();
        RunResult result = workflow.push("v1.1.0", Scenario.HEALTHY);

        assertEquals("SUCCEEDED", result.outcome(), result.reason());
        assertEquals(List.of("ScanGate", "Lock"), entered(result, "ScanGate", "Lock"));
        assertNotEquals(initial, workflow.liveTaskDefinition());
        assertEquals(result.image(), workflow.liveImage());
        assertFalse(workflow.lockHeld(), "lock released");
        assertEquals(List.of("SUCCEEDED"), workflow.notifiedOutcomes());
    }

    @Test
    void aHighFindingRejectsTheImageBeforeTheServiceIsTouched() {
        Workflow workflow = new Workflow(TestRuntime.fresh("HIGH"));
        String initial = workflow.web.initialTaskDefinition();
        RunResult result = workflow.push("v1.1.0", Scenario.HEALTHY);

        assertEquals("REJECTED", result.outcome(), result.reason());
        assertEquals(2, result.exitCode());
        assertEquals("1 finding(s) at or above HIGH: HIGH=1", result.reason());
        assertEquals(List.of(), result.writes().stream().filter(w -> !w.startsWith("dynamodb:") && !w.startsWith("sns:")
                && !w.startsWith("events:")).toList(), "only the run's own books are written: " + result.writes());
        assertEquals(List.of("ScanGate"), entered(result, "ScanGate", "Lock"));
        assertFalse(workflow.lockHeld());
        assertEquals(initial, workflow.liveTaskDefinition());
        assertEquals(workflow.web.repositoryUri() + "@" + workflow.web.initialDigest(), workflow.liveImage());
        assertEquals(List.of(), workflow.runtime.simulator().deploymentStarts());
        assertEquals(1, workflow.history().size(), "the rejection is recorded once");
        assertEquals("REJECTED", workflow.historyOf(result).get("outcome").s());
        assertEquals(List.of("REJECTED"), workflow.notifiedOutcomes());
    }

    @Test
    void aCrashInsideTheScanGateStillEndsCleanly() {
        Workflow workflow = new Workflow(TestRuntime.fresh("CRITICAL"));
        workflow.runtime.lambdas().inject(Fault.crashAfter("ScanGateFunction", 1));
        RunResult result = workflow.push("v1.1.0", Scenario.HEALTHY);

        assertEquals("SUCCEEDED", result.outcome(), result.reason());
        assertTrue(Workflow.failedInvocations(result).contains("java.lang.RuntimeException"), "the fault happened");
        assertEquals(result.image(), workflow.liveImage());
        assertFalse(workflow.lockHeld(), "lock released");
        assertEquals("SUCCEEDED", workflow.historyOf(result).get("outcome").s());
        assertEquals(1, workflow.history().size());
        assertEquals(List.of("SUCCEEDED"), workflow.notifiedOutcomes());
    }

    /** The states among {@code names} the run entered, in order, each time it entered them. */
    private static List<String> path(RunResult result, List<String> names) {
        List<String> path = new ArrayList<>();
        for (JsonNode event : result.history()) {
            String state = event.path("stateEnteredEventDetails").path("name").asText();
            if (names.contains(state)) {
                path.add(state);
            }
        }
        return path;
    }

    /** The keys of the scan watches in the table. */
    private static List<Map<String, AttributeValue>> scanWatches(Workflow workflow) {
        return workflow.scanWatches().stream().map(i -> Map.of("pk", i.get("pk"), "sk", i.get("sk"))).toList();
    }

    /** The states among {@code names} the run entered, in order (each once, however often it was entered). */
    private static List<String> entered(RunResult result, String... names) {
        List<String> entered = new ArrayList<>();
        for (JsonNode event : result.history()) {
            String state = event.path("stateEnteredEventDetails").path("name").asText();
            if (List.of(names).contains(state) && !entered.contains(state)) {
                entered.add(state);
            }
        }
        return entered;
    }
}
