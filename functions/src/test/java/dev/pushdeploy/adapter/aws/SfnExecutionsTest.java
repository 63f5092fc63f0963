package dev.pushdeploy.adapter.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.error.AwsFailureException;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryRequest;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;

class SfnExecutionsTest {
    static final String ARN = "arn:aws:states:us-east-1:123456789012:execution:pushdeploy-deploy:push-web-1";

    /** An endpoint answering GetExecutionHistory with a next page forever: the reader stops past a history's most events. */
    @Test
    @org.junit.jupiter.api.Timeout(value = 30, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void aHistoryThatNeverEndsStopsAtThePageBound() {
        int[] calls = {0};
        SfnClient sfn = new SfnReleaseRunsTest.SfnFake() {
            @Override
            public GetExecutionHistoryResponse getExecutionHistory(GetExecutionHistoryRequest request) {
                calls[0]++;
                return GetExecutionHistoryResponse.builder().events(List.of()).nextToken("again").build();
            }
        };
        AwsFailureException e = assertThrows(AwsFailureException.class, () -> new SfnExecutions(() -> sfn).lastState(ARN));
        assertEquals(1000, calls[0], "four times 25,000 events, 100 a page");
        assertTrue(e.getMessage().startsWith("states:GetExecutionHistory " + ARN + " answered more than 1000 pages"), e.getMessage());
    }
}
