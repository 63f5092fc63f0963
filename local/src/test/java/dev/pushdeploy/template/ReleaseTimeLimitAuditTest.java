package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * Audit: README ("A release stopped (StopExecution), run into its time limit or failed by a service limit ...", outcome
 * TIMED_OUT, "ReleaseTimedOutExecutionsAlarm past its time limit"), the template's ReleaseTimedOutExecutionsAlarm ("A release
 * workflow ran into the state machine's time limit") and ReleaseCloser's TIMED_OUT cause all presume a time limit on the
 * release state machine. Its definition sets none (the deployment workflow's sets 54000 s), so the only limit is Step
 * Functions' one year for a standard workflow: the alarm and the TIMED_OUT outcome can never be met in practice.
 */
class ReleaseTimeLimitAuditTest {
    @Test
    void auditTheReleaseStateMachineHasTheTimeLimitItsAlarmAndReadmeDescribe() throws Exception {
        String asl = Files.readString(Repo.ROOT.resolve("statemachine/release.asl.json")).replaceAll("\\$\\{[A-Za-z]+}", "60");
        JsonNode definition = Json.tree(asl);
        assertTrue(definition.path("TimeoutSeconds").isNumber(), "release.asl.json has no top-level TimeoutSeconds (its top-level fields: "
                + java.util.stream.StreamSupport.stream(((Iterable<String>) definition::fieldNames).spliterator(), false).toList() + ")");
    }
}
