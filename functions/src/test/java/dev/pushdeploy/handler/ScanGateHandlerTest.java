package dev.pushdeploy.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.adapter.json.Trees;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.error.TransientException;
import dev.pushdeploy.ledger.MutableClock;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.request.FakeRegistry;
import dev.pushdeploy.request.FakeScanWatches;
import dev.pushdeploy.request.ScanFindings;
import dev.pushdeploy.testing.SampleStack;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** WaitForScan's payload as the state machine sends it, to the gate whose every read of the scan is throttled. */
class ScanGateHandlerTest {
    private static final String DIGEST = "sha256:" + SampleStack.sha256("v1.1.0");
    private static final Instant STARTED = Instant.parse("2025-01-02T10:00:01Z");
    private static final Instant NOW = STARTED.plusSeconds(200);
    /** How moto writes {@code $$.State.EnteredTime} (Python's isoformat): microseconds, the offset as +00:00. */
    private static final DateTimeFormatter MOTO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");

    private final FakeScanWatches watches = new FakeScanWatches();

    /**
     * {@code retries} from {@code $$.State.RetryCount} and {@code waitingSince} from {@code $$.State.EnteredTime}, in AWS's
     * form or moto's, or neither (an execution started before the payload had them: no retries, a wait just begun): a look
     * that cannot read the scan fails the invocation, for the task's Retry, while the wait's quick retries last, then leaves
     * the task waiting; the watch keeps the retries for an event's look.
     */
    @ParameterizedTest
    @CsvSource({"0, 5, Z, true", "5, 80, +00:00, true", "6, 5, Z, false", "0, 100, +00:00, false", "0, , , true", ", , , true"})
    void aWaitThatCannotReadTheScanFailsForItsRetryAsTheRetryCountAllows(Integer retries, Integer waited, String zone, boolean failed) {
        ObjectNode payload = payload();
        if (retries != null) {
            payload.put("retries", retries);
        }
        if (waited != null) {
            payload.put("waitingSince", zone.equals("Z") ? NOW.minusSeconds(waited).toString()
                    : NOW.minusSeconds(waited).atOffset(ZoneOffset.UTC).format(MOTO_TIME));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = new ByteArrayInputStream(payload.toString().getBytes(StandardCharsets.UTF_8));

        if (failed) {
            assertTrue(assertThrows(TransientException.class, () -> throttled().handleRequest(in, out, null)).getMessage()
                    .contains("ThrottlingException"));
        } else {
            throttled().handleRequest(in, out, null);
            JsonNode answer = Trees.tree(out.toString(StandardCharsets.UTF_8));
            assertEquals("PENDING", answer.path("status").asText(), answer.toString());
            assertTrue(answer.path("reason").asText().contains("ThrottlingException"), answer.toString());
        }
        assertEquals(List.of(retries == null ? 0 : retries), watches.watches().stream().map(w -> w.retries()).toList());
        assertEquals(Map.of(), watches.answered());
    }

    @ParameterizedTest
    @CsvSource({"yesterday", "2025-01-02 10:00:01"})
    void aWaitsStartThatIsNoTimeIsRefusedNamingTheField(String since) {
        ObjectNode payload = payload();
        payload.put("retries", 0);
        payload.put("waitingSince", since);
        InputStream in = new ByteArrayInputStream(payload.toString().getBytes(StandardCharsets.UTF_8));

        InvalidRequestException refused = assertThrows(InvalidRequestException.class,
                () -> throttled().handleRequest(in, new ByteArrayOutputStream(), null));
        assertTrue(refused.getMessage().contains("waitingSince") && refused.getMessage().contains("'" + since + "'"),
                refused.getMessage());
    }

    /** WaitForScan's payload for a push of web waiting for its scan, without retries and waitingSince. */
    private static ObjectNode payload() {
        DeployRequest request = DeployRequest.builder().requestId("push-web-v1-1-0").action(Action.DEPLOY).cluster("pushdeploy")
                .service("web").repository("web").digest(DIGEST).image(FakeRegistry.REGISTRY + "/web@" + DIGEST)
                .decision(Decision.PROCEED).scanGate(true).startedAt(STARTED.toEpochMilli()).build();
        ObjectNode payload = Trees.object();
        payload.set("request", Trees.mapper().valueToTree(request));
        payload.put("taskToken", "t1");
        return payload;
    }

    /** The handler at {@link #NOW}, every read of a scan throttled beyond the SDK's retries. */
    private ScanGateHandler throttled() {
        ScanFindings throttled = new ScanFindings() {
            @Override
            public Optional<ScanReport> scan(String repository, String digest) {
                throw new TransientException("ecr:DescribeImageScanFindings " + repository + "@" + digest
                        + " failed transiently: ThrottlingException: Rate exceeded", null);
            }

            @Override
            public List<String> platformImages(String repository, String digest) {
                return List.of();
            }
        };
        return new ScanGateHandler(ConfigSource.of(ConfigParser.parse(SampleStack.configDocument("HIGH"))), throttled, watches,
                watches, new MutableClock(NOW));
    }
}
