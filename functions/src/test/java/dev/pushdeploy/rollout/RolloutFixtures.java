package dev.pushdeploy.rollout;

import dev.pushdeploy.adapter.json.JsonLogLines;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.testing.SampleStack;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/** Shared pieces of the rollout tests: requests, log lines, a call counter. */
public final class RolloutFixtures {
    public static final String REV1_ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1";
    public static final String REV2_ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2";
    public static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    private RolloutFixtures() {
    }

    public static Clock clockAt(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    /** A PROCEED deploy request for the sample stack's service, rolling back to {@code previous}. */
    public static DeployRequest request(String previous, int deadlineSeconds) {
        return DeployRequest.builder()
                .requestId("exec-0001").action(Action.DEPLOY).source("ecr")
                .cluster(SampleStack.CLUSTER).service(SampleStack.SERVICE).container(SampleStack.CONTAINER).repository(SampleStack.REPOSITORY)
                .image("123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:" + "a".repeat(64))
                .digest("sha256:" + "a".repeat(64)).tag("v1.0.1").reason("push").pushedAt(NOW.toEpochMilli())
                .previousTaskDefinition(previous)
                .previousImage("123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:" + "b".repeat(64))
                .decision(Decision.PROCEED).rotate(true).register(true).deadlineSeconds(deadlineSeconds)
                .build();
    }

    /** A service before its first release: on the bootstrap revision {@link #REV1_ARN}, running no task. */
    public static FakeEcsServices bootstrapped() {
        FakeEcsServices ecs = new FakeEcsServices(REV1_ARN, true);
        ecs.runOnly(REV1_ARN, 0);
        return ecs;
    }

    /** The request of a first release: {@code desiredCount} tasks, and none on the way back to the bootstrap revision. */
    public static DeployRequest firstRelease(int desiredCount) {
        return request(REV1_ARN, 600).toBuilder().desiredCount(desiredCount).previousDesiredCount(0).build();
    }

    /** Log lines of a test, kept to assert on. */
    public static StepLog log(List<String> lines) {
        return StepLog.to(JsonLogLines.to(lines::add), "test");
    }

    public static List<String> lines() {
        return new CopyOnWriteArrayList<>();
    }

    /** Counts SDK operations by name on the clients it is added to. */
    public static final class CallCounter implements ExecutionInterceptor {
        private final Map<String, Integer> counts = new ConcurrentHashMap<>();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            counts.merge(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), 1, Integer::sum);
        }

        public int count(String operation) {
            return counts.getOrDefault(operation, 0);
        }
    }
}
