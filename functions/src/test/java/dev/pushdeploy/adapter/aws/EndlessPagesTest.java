package dev.pushdeploy.adapter.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.config.Health;
import dev.pushdeploy.error.AwsFailureException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.ecs.model.ListTasksRequest;
import software.amazon.awssdk.services.ecs.model.ListTasksResponse;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryRequest;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;

/**
 * An endpoint that answers a listing with a next page forever: every reader that pages stops at its bound, naming the
 * call, instead of looping until the invocation's timeout.
 */
class EndlessPagesTest {
    static final String RUN = "arn:aws:states:us-east-1:123456789012:execution:pushdeploy-deploy:push-web-1";
    static final String RELEASE = "arn:aws:states:us-east-1:123456789012:execution:pushdeploy-release:shop-1";

    static Stream<Arguments> readers() {
        return Stream.of(
                Arguments.of("the reconciler's last state of a run", 1000,
                        "states:GetExecutionHistory " + RUN + " answered more than 1000 pages",
                        (Consumer<AtomicInteger>) calls -> new SfnExecutions(() -> endlessHistory(calls)).lastState(RUN)),
                Arguments.of("a release's plan", 1000,
                        "states:GetExecutionHistory " + RELEASE + " answered more than 1000 pages",
                        (Consumer<AtomicInteger>) calls -> new SfnReleaseRuns(() -> endlessHistory(calls),
                                "arn:aws:states:us-east-1:123456789012:stateMachine:pushdeploy-deploy").plan(RELEASE)),
                Arguments.of("a rollout's tasks", 100,
                        "ecs:ListTasks pushdeploy/web RUNNING answered more than 100 pages",
                        (Consumer<AtomicInteger>) calls -> new SdkRolloutObserver(endlessTasks(calls), SdkRolloutObserverTest.healthyElb(),
                                (url, status) -> null).observe("pushdeploy", "web", Health.DEFAULT)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readers")
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aListingThatNeverEndsStopsAtItsBound(String reader, int bound, String message, Consumer<AtomicInteger> read) {
        AtomicInteger calls = new AtomicInteger();
        AwsFailureException e = assertThrows(AwsFailureException.class, () -> read.accept(calls));
        assertEquals(bound, calls.get(), reader);
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    private static SfnClient endlessHistory(AtomicInteger calls) {
        return new SfnReleaseRunsTest.SfnFake() {
            @Override
            public GetExecutionHistoryResponse getExecutionHistory(GetExecutionHistoryRequest request) {
                calls.incrementAndGet();
                return GetExecutionHistoryResponse.builder().events(List.of()).nextToken("again").build();
            }
        };
    }

    private static SdkRolloutObserverTest.FakeEcs endlessTasks(AtomicInteger calls) {
        SdkRolloutObserverTest.FakeEcs ecs = new SdkRolloutObserverTest.FakeEcs() {
            @Override
            public ListTasksResponse listTasks(ListTasksRequest request) {
                calls.incrementAndGet();
                return ListTasksResponse.builder().taskArns(List.of()).nextToken("again").build();
            }
        };
        ecs.service = SdkRolloutObserverTest.healthyEcs().service;
        return ecs;
    }
}
