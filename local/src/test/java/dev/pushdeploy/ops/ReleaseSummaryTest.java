package dev.pushdeploy.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ledger.ReleaseRecord;
import dev.pushdeploy.ops.Json;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A release execution's end as DescribeExecution reports it: output, a JSON cause, or a plain cause. */
class ReleaseSummaryTest {
    private static final String SERVICES = """
            [{"service": "pushdeploy/web", "image": "web@sha256:1", "execution": "r-web", "deployment": "SUCCEEDED",
              "rollback": "SUCCEEDED", "rolledBackTo": "web:1", "state": "ROLLED_BACK"},
             {"service": "pushdeploy/api", "image": "api@sha256:2", "execution": "r-api", "deployment": "ROLLED_BACK", "state": "BACK"}]""";

    @Test
    void aSucceededReleaseReadsItsOutput() {
        ReleaseSummary s = ReleaseSummary.of(description("SUCCEEDED", null,
                "{\"release\": \"r\", \"outcome\": \"SUCCEEDED\", \"services\": [{\"service\": \"pushdeploy/web\", \"state\": \"LIVE\", \"deployment\": \"SUCCEEDED\"}]}", null));
        assertEquals("SUCCEEDED", s.outcome());
        assertEquals(0, s.exitCode());
        assertEquals(List.of(new ReleaseSummary.Service("pushdeploy/web", null, "LIVE", "SUCCEEDED", null, null, null)), s.services());
    }

    @Test
    void aRolledBackReleaseReadsEachServiceFromItsCause() {
        ReleaseSummary s = ReleaseSummary.of(description("FAILED", "ROLLED_BACK", null,
                "{\"release\": \"r\", \"outcome\": \"ROLLED_BACK\", \"services\": " + SERVICES + "}"));
        assertEquals("ROLLED_BACK", s.outcome());
        assertEquals(3, s.exitCode());
        assertNull(s.reason());
        assertEquals(new ReleaseSummary.Service("pushdeploy/web", "web@sha256:1", "ROLLED_BACK", "SUCCEEDED", "SUCCEEDED", "r-web", null),
                s.services().get(0));
        assertNull(s.services().get(1).rollback());
    }

    @Test
    void aRejectedReleaseKeepsTheCauseThatNamesTheField() {
        ReleaseSummary s = ReleaseSummary.of(description("FAILED", "REJECTED", null, "services[0].image: tag v9 is not an image of repository web"));
        assertEquals("REJECTED", s.outcome());
        assertEquals(2, s.exitCode());
        assertEquals("services[0].image: tag v9 is not an image of repository web", s.reason());
        assertTrue(s.services().isEmpty());
    }

    /**
     * The cause of a REJECTED release is what Plan's Catch caught, the Lambda function's error document (as on AWS, and as
     * the local runtime gives it): its message is the reason, naming the field; a plan that could not be made is FAILED.
     */
    @Test
    void aRejectedReleaseNamesTheFieldFromPlansErrorDocument() {
        ReleaseSummary s = ReleaseSummary.of(description("FAILED", "REJECTED", null,
                "{\"errorType\":\"dev.pushdeploy.error.InvalidRequestException\",\"errorMessage\":\"services[0].image: tag v9 is not an image"
                        + " of repository web\"}"));
        assertEquals("REJECTED", s.outcome());
        assertTrue(s.reason() != null && s.reason().contains("services[0].image: tag v9 is not an image of repository web"),
                "the reason names the field: " + s.reason());
    }

    @Test
    void aReleaseWhosePlanCouldNotBeMadeIsFailedWithWhatStoppedIt() {
        ReleaseSummary s = ReleaseSummary.of(description("FAILED", "PLAN_FAILED", null,
                "{\"errorType\":\"dev.pushdeploy.error.TransientException\",\"errorMessage\":\"ecr:DescribeRepositories web failed"
                        + " transiently: ThrottlingException: Rate exceeded\"}"));
        assertEquals("FAILED", s.outcome());
        assertEquals(1, s.exitCode());
        assertEquals("ecr:DescribeRepositories web failed transiently: ThrottlingException: Rate exceeded", s.reason());
    }

    @Test
    void aStoppedReleaseReadsItsOutcomeAndServicesFromTheReconcilersRecord() {
        ReleaseSummary stopped = ReleaseSummary.of(description("ABORTED", null, null, "the wrong images"));
        assertEquals("ABORTED", stopped.outcome());
        assertTrue(stopped.services().isEmpty());
        ReleaseRecord.ServiceEnd web = new ReleaseRecord.ServiceEnd("pushdeploy/web", "web@sha256:1", "r-web", "SUCCEEDED", "ROLLED_BACK",
                "SUCCEEDED", "r-web-rollback", "web:1");
        ReleaseRecord record = new ReleaseRecord("r", "ABORTED", "release r", "the release was stopped (the wrong images); …",
                List.of(web), "arn", "2025-03-01T12:30:00Z", "reconciler", true);

        ReleaseSummary s = stopped.recorded(record, List.of(web));

        assertEquals(List.of("ABORTED", "ABORTED", "the release was stopped (the wrong images); …"), List.of(s.status(), s.outcome(), s.reason()));
        assertEquals(1, s.exitCode());
        assertEquals(List.of(new ReleaseSummary.Service("pushdeploy/web", "web@sha256:1", "ROLLED_BACK", "SUCCEEDED", "SUCCEEDED", "r-web",
                "r-web-rollback")), s.services());
        assertEquals("the wrong images; not yet", stopped.unrecorded("not yet").reason());
    }

    @Test
    void aReleaseIsAnExecutionOfTheReleaseStateMachine() {
        Pipeline two = Pipeline.of("shop", Map.of("StateMachineArn", "arn:aws:states:us-east-1:1:stateMachine:shop", "DeploymentTableName", "t",
                "ConfigParameterName", "/c", "ReleaseStateMachineArn", "arn:aws:states:us-east-1:1:stateMachine:shop-release"));
        assertEquals(Optional.of("arn:aws:states:us-east-1:1:execution:shop-release:r"), two.releaseExecutionArn("r"));
        assertTrue(two.isRelease("arn:aws:states:us-east-1:1:execution:shop-release:r"));
        assertFalse(two.isRelease("arn:aws:states:us-east-1:1:execution:shop:r"));
        assertFalse(two.isRelease("arn:aws:states:us-east-1:1:execution:shop-release-2:r"));
        Pipeline one = Pipeline.of("shop", Map.of("StateMachineArn", "arn:aws:states:us-east-1:1:stateMachine:shop", "DeploymentTableName", "t",
                "ConfigParameterName", "/c"));
        assertEquals(Optional.empty(), one.releaseExecutionArn("r"));
        assertFalse(one.isRelease("arn:aws:states:us-east-1:1:execution:shop-release:r"));
    }

    @Test
    void aStackWithoutASecondServiceHasNoReleasesAndSaysWhy() {
        Pipeline one = Pipeline.of("shop", Map.of("StateMachineArn", "arn:sm", "DeploymentTableName", "t", "ConfigParameterName", "/c"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, one::releaseStateMachineArn);
        assertEquals("stack shop has no output ReleaseStateMachineArn: releases need a second service (template parameter "
                + "SecondServiceName)", e.getMessage());
    }

    private static ObjectNode description(String status, String error, String output, String cause) {
        ObjectNode d = Json.object().put("executionArn", "arn:aws:states:us-east-1:123456789012:execution:shop-release:r")
                .put("name", "r").put("status", status);
        if (error != null) {
            d.put("error", error);
        }
        if (output != null) {
            d.put("output", output);
        }
        if (cause != null) {
            d.put("cause", cause);
        }
        return d;
    }
}
