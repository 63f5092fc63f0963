package dev.pushdeploy.handler;

import static dev.pushdeploy.handler.RequestLedgerEvents.V1_1_0;
import static dev.pushdeploy.handler.RequestLedgerEvents.invoke;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.adapter.aws.DynamoScanWatches;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.model.ScanResult;
import dev.pushdeploy.model.ScanStatus;
import dev.pushdeploy.request.ScanWatch;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.World;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The scan gate against moto's ECR: DescribeImageScanFindings raises ScanNotFoundException until
 * StartImageScan ran (scan on push is not emulated); after it, moto answers a canned COMPLETE scan
 * with one HIGH finding, unless a result was queued through {@code /moto-api/static/ecr/scan-finding-results}.
 */
@ExtendWith(EmulatorExtension.class)
class ScanGateHandlerIT {
    private World world;

    @BeforeEach
    void world(Emulator emulator) {
        world = World.create(emulator, World.configDocument("HIGH"));
        RequestLedgerEvents.environment(world);
        assertEquals(V1_1_0, world.pushImage("v1.1.0"));
    }

    @Test
    void theSampleEventPassesACleanCompleteScan() {
        queueScan("COMPLETE", "{\"MEDIUM\": 2, \"LOW\": 5}");
        ScanResult result = run();
        assertEquals(ScanStatus.PASSED, result.status(), result.reason());
        assertEquals("no findings at or above HIGH", result.reason());
        assertEquals(Map.of("MEDIUM", 2, "LOW", 5), result.findingCounts());
        assertEquals(0, result.recheckSeconds());
    }

    @Test
    void noScanYetIsPending() {
        ScanResult result = run();
        assertEquals(ScanStatus.PENDING, result.status());
        assertEquals("no scan of " + V1_1_0 + " exists yet", result.reason());
        assertTrue(result.recheckSeconds() > 0);
    }

    @Test
    void aScanInProgressIsPending() {
        queueScan("IN_PROGRESS", "{}");
        ScanResult result = run();
        assertEquals(ScanStatus.PENDING, result.status());
        assertEquals("the scan of " + V1_1_0 + " is IN_PROGRESS", result.reason());
    }

    @Test
    void motosCannedHighFindingFailsAHighGate() {
        world.ecr.startImageScan(r -> r.repositoryName(World.REPOSITORY).imageId(i -> i.imageDigest(V1_1_0)));
        ScanResult result = run();
        assertEquals(ScanStatus.FAILED, result.status());
        assertEquals("1 finding(s) at or above HIGH: HIGH=1", result.reason());
        assertEquals(Map.of("HIGH", 1), result.findingCounts());
    }

    @Test
    void aFailedScanFailsTheGate() {
        queueScan("FAILED", "{}");
        ScanResult result = run();
        assertEquals(ScanStatus.FAILED, result.status());
        assertEquals("the scan of " + V1_1_0 + " ended FAILED: scanner crashed", result.reason());
    }

    @Test
    void theSampleEventsOldStartIsPastTheScanDeadline() {
        ScanResult result = Json.convert(invoke(new ScanGateHandler(), RequestLedgerEvents.file("scan-gate.json")), ScanResult.class);
        assertEquals(ScanStatus.TIMED_OUT, result.status());
        assertTrue(result.reason().contains("no scan result"), result.reason());
    }

    /**
     * WaitForScan's invocation (a token, the task's retries, when its wait began) stores the watch with its retries, as an
     * event's look reads them back; a watch stored before the table kept them reads as none.
     */
    @Test
    void aWaitsWatchKeepsItsRetriesInTheTable() {
        queueScan("IN_PROGRESS", "{}");
        ObjectNode wait = (ObjectNode) Json.tree(startedNow());
        wait.put("taskToken", "a-task-token").put("retries", 4).put("waitingSince", Instant.now().minusSeconds(5).toString());

        ScanResult result = Json.convert(invoke(new ScanGateHandler(), wait.toString()), ScanResult.class);

        assertEquals(ScanStatus.PENDING, result.status(), result.reason());
        DynamoScanWatches watches = new DynamoScanWatches(() -> world.dynamo, World.TABLE);
        assertEquals(List.of(4), watches.find(World.REPOSITORY).stream().map(ScanWatch::retries).toList());
        world.dynamo.updateItem(r -> r.tableName(World.TABLE).key(Map.of(
                        "pk", AttributeValue.fromS("scan#" + World.REPOSITORY), "sk", AttributeValue.fromS("watch#pushdeploy/web@" + V1_1_0)))
                .updateExpression("REMOVE retries"));
        assertEquals(List.of(0), watches.find(World.REPOSITORY).stream().map(ScanWatch::retries).toList());
    }

    /**
     * A repository's watches beyond one page of the query (100, or 1 MB) are all found: DynamoDB answers a Query a page at a
     * time ("If LastEvaluatedKey is present in the response, you need to paginate the result set"); before, an event
     * looked at the first page alone, and runs past it waited for their recheck.
     */
    @Test
    void everyWatchOfARepositoryIsFoundBeyondTheFirstPage() {
        DynamoScanWatches watches = new DynamoScanWatches(() -> world.dynamo, World.TABLE);
        DeployRequest base = Json.read(Json.tree(startedNow()).path("request").toString(), DeployRequest.class);
        for (int i = 0; i < 150; i++) {
            watches.register(new ScanWatch("token-" + i, base.toBuilder().service("svc-" + i).requestId("run-" + i).build(),
                    Instant.now().getEpochSecond() + 3600, 0));
        }
        assertEquals(150, watches.find(World.REPOSITORY).size());
    }

    /**
     * A run's resumes by scan events are counted in the table up to the bound, each run on its own; the count is an item
     * of the repository's partition that the watches' query does not find.
     */
    @Test
    void aRunsResumesByScanEventsAreCountedUpToTheBound() {
        queueScan("IN_PROGRESS", "{}");
        ObjectNode wait = (ObjectNode) Json.tree(startedNow());
        wait.put("taskToken", "a-task-token").put("retries", 0).put("waitingSince", Instant.now().toString());
        invoke(new ScanGateHandler(), wait.toString());
        DynamoScanWatches watches = new DynamoScanWatches(() -> world.dynamo, World.TABLE);
        ScanWatch watch = watches.find(World.REPOSITORY).get(0);

        List<Boolean> counted = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            counted.add(watches.countResume(watch, 3));
        }
        ScanWatch other = new ScanWatch("b-task-token", watch.request().toBuilder().requestId("another-run").build(), watch.expiresAt(), 0);

        assertEquals(List.of(true, true, true, false), counted);
        assertEquals(true, watches.countResume(other, 3), "another run counts afresh");
        assertEquals(List.of("a-task-token"), watches.find(World.REPOSITORY).stream().map(ScanWatch::token).toList());
    }

    /** The sample event, started now: its scan deadline (counted from the execution's start) lies ahead. */
    private ScanResult run() {
        return Json.convert(invoke(new ScanGateHandler(), startedNow()), ScanResult.class);
    }

    private static String startedNow() {
        return RequestLedgerEvents.file("scan-gate.json")
                .replace("\"startedAt\": 1735812001250", "\"startedAt\": " + System.currentTimeMillis());
    }

    /** Starts the scan and makes moto answer it with the given status and counts. */
    private void queueScan(String status, String counts) {
        world.emulator.post("/moto-api/static/ecr/scan-finding-results", """
                {"region": "%s", "results": [{
                  "registryId": "%s", "repositoryName": "web", "imageId": {"imageDigest": "%s"},
                  "imageScanStatus": {"status": "%s", "description": "scanner crashed"},
                  "imageScanFindings": {"findingSeverityCounts": %s, "findings": []}}]}"""
                .formatted(Emulator.REGION, Emulator.ACCOUNT, V1_1_0, status, counts));
        world.ecr.startImageScan(r -> r.repositoryName(World.REPOSITORY).imageId(i -> i.imageDigest(V1_1_0)));
    }
}
