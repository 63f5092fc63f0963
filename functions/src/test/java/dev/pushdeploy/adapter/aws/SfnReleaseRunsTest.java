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
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryRequest;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    /**
     * The outcome a cut-off release had reached, from the end of its history, newest first (AWS's event shapes: the state's
     * input on TaskStateEntered, its output on TaskStateExited). Events written NAME:ENTERED|EXITED|OTHER, oldest first.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "Deploy:EXITED Check:EXITED Succeeded:EXITED Record:ENTERED Record:OTHER Record:OTHER | SUCCEEDED | true",
            "Record:ENTERED Record:EXITED Notify:ENTERED Notify:OTHER                        | SUCCEEDED | true",
            "Record:ENTERED Record:EXITED Notify:ENTERED Notify:EXITED Summary:ENTERED       | SUCCEEDED | false",
            "Record:ENTERED Record:EXITED Notify:ENTERED Notify:FAILED Summary:ENTERED       | SUCCEEDED | true",
            "Plan:EXITED Deploy:ENTERED Deploy:OTHER                                        | -         | false"})
    void theOutcomeACutOffReleaseHadReachedIsReadFromTheEndOfItsHistory(String events, String outcome, boolean notSent) {
        String summary = Json.write(Map.of("release", "shop-1", "outcome", "SUCCEEDED", "reason", "release shop-1: together",
                "services", List.of()));
        String failed = summary.replace("}", ",\"notifyFailed\":{\"Error\":\"SNS.InternalErrorException\"}}");
        List<HistoryEvent> history = new java.util.ArrayList<>();
        long id = 0;
        for (String event : events.trim().split(" ")) {
            String[] e = event.split(":");
            HistoryEvent.Builder b = HistoryEvent.builder().id(++id);
            switch (e[1]) {
                case "ENTERED" -> b.type("TaskStateEntered").stateEnteredEventDetails(d -> d.name(e[0]).input(summary));
                case "EXITED" -> b.type("TaskStateExited").stateExitedEventDetails(d -> d.name(e[0]).output(summary));
                case "FAILED" -> b.type("TaskStateExited").stateExitedEventDetails(d -> d.name(e[0]).output(failed));
                default -> b.type("TaskFailed");
            }
            history.add(b.build());
        }
        java.util.Collections.reverse(history);
        SfnClient sfn = new SfnFake() {
            @Override
            public GetExecutionHistoryResponse getExecutionHistory(GetExecutionHistoryRequest request) {
                assertEquals(List.of(ARN, true), List.of(request.executionArn(), request.reverseOrder()));
                return GetExecutionHistoryResponse.builder().events(history).build();
            }
        };

        Optional<ReleaseRuns.Summary> verdict = new SfnReleaseRuns(() -> sfn, "arn:aws:states:us-east-1:123456789012:stateMachine:pushdeploy-deploy")
                .verdict(ARN);

        assertEquals(Optional.ofNullable(outcome), verdict.map(ReleaseRuns.Summary::outcome));
        assertEquals(notSent, verdict.map(ReleaseRuns.Summary::notifyFailed).orElse(false), "the notification still owed");
    }
}
