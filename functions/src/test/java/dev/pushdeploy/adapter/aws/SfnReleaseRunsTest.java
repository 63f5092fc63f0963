package dev.pushdeploy.adapter.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.ledger.ReleaseRuns;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionRequest;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;

/**
 * The summary a release ended with, as the reconciler reads it to write the record the release's Record state did not
 * (README: "the outcome, reason and services Record would have written").
 */
class SfnReleaseRunsTest {
    static final String ARN = "arn:aws:states:us-east-1:123456789012:execution:pushdeploy-release:shop-1";
    static final String WEB4 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:4";
    static final String API7 = "arn:aws:ecs:us-east-1:123456789012:task-definition/api:7";

    /** ReleaseRolledBack's cause: the Summary state's JsonToString of the state Record wrote from (RolledBackService, SupersededService). */
    static final String ROLLED_BACK_CAUSE = Json.write(Map.of("release", "shop-1", "outcome", "ROLLED_BACK",
            "reason", "release shop-1 rolled back: not every service went live",
            "services", List.of(
                    Map.of("service", "pushdeploy/web", "image", "web@sha256:" + "1".repeat(64), "execution", "shop-1-web-1",
                            "deployment", "SUCCEEDED", "rollback", "SUCCEEDED", "rolledBackTo", WEB4, "state", "ROLLED_BACK"),
                    Map.of("service", "pushdeploy/api", "image", "api@sha256:" + "2".repeat(64), "execution", "shop-1-api-2",
                            "deployment", "SUCCEEDED", "rollback", "IGNORED", "state", "SUPERSEDED", "live", API7))));

    abstract static class SfnFake implements SfnClient {
        @Override
        public String serviceName() {
            return "states";
        }

        @Override
        public void close() {
        }
    }

    /**
     * Record writes {@code States.JsonToString($.services)}: each service with where the release's rollback took it
     * ({@code rolledBackTo}) or which later revision it was left on ({@code live}). The reconciler reads the same summary
     * into {@code ReleaseRecord.ServiceEnd}, which has neither field, so the record it writes says ROLLED_BACK and
     * SUPERSEDED without the revisions, unlike the record the workflow would have written.
     */
    @Test
    void theSummaryKeepsWhatRecordWouldHaveWrittenOfEachService() {
        SfnClient sfn = new SfnFake() {
            @Override
            public DescribeExecutionResponse describeExecution(DescribeExecutionRequest request) {
                assertEquals(ARN, request.executionArn());
                return DescribeExecutionResponse.builder().executionArn(ARN).status("FAILED").error("ROLLED_BACK")
                        .cause(ROLLED_BACK_CAUSE).build();
            }
        };

        Optional<ReleaseRuns.Summary> summary = new SfnReleaseRuns(() -> sfn, "arn:aws:states:us-east-1:123456789012:stateMachine:pushdeploy-deploy")
                .summary(ARN);

        assertEquals("ROLLED_BACK", summary.orElseThrow().outcome());
        String written = Json.write(summary.get().services()); // what DynamoLedger.putRelease stores as the record's services
        assertEquals(List.of(WEB4, API7), List.of(
                        String.valueOf(((Map<?, ?>) ((List<?>) Json.parse(written)).get(0)).get("rolledBackTo")),
                        String.valueOf(((Map<?, ?>) ((List<?>) Json.parse(written)).get(1)).get("live"))),
                "the revisions Record would have written: " + written);
    }
}
