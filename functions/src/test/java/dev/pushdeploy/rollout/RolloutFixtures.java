package dev.pushdeploy.rollout;

import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.testing.World;
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
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;

/** Shared pieces of the rollout tests: requests, revision 2 in the emulator, a call counter. */
public final class RolloutFixtures {
    public static final String REV1_ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1";
    public static final String REV2_ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2";
    public static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    private RolloutFixtures() {
    }

    public static Clock clockAt(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    /** A PROCEED deploy request for World's service, rolling back to {@code previous}. */
    public static DeployRequest request(String previous, int deadlineSeconds) {
        return DeployRequest.builder()
                .requestId("exec-0001").action(Action.DEPLOY).source("ecr")
                .cluster(World.CLUSTER).service(World.SERVICE).container(World.CONTAINER).repository(World.REPOSITORY)
                .image("123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:" + "a".repeat(64))
                .digest("sha256:" + "a".repeat(64)).tag("v1.0.1").reason("push").pushedAt(NOW.toEpochMilli())
                .previousTaskDefinition(previous)
                .previousImage("123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:" + "b".repeat(64))
                .decision(Decision.PROCEED).rotate(true).register(true).deadlineSeconds(deadlineSeconds)
                .build();
    }

    /** Log lines of a test, kept to assert on. */
    public static StepLog log(List<String> lines) {
        return StepLog.to(lines::add, "test");
    }

    public static List<String> lines() {
        return new CopyOnWriteArrayList<>();
    }

    /** Registers revision 2 of {@code web} in the emulator: revision 1 with image {@code tag}. */
    public static String registerRevision2(World world, String tag) {
        String digest = world.pushImage(tag);
        TaskDefinition live = world.ecs.describeTaskDefinition(r -> r.taskDefinition(world.liveTaskDefinition))
                .taskDefinition();
        ContainerDefinition app = live.containerDefinitions().get(0).toBuilder()
                .image(world.repositoryUri + "@" + digest).build();
        return world.ecs.registerTaskDefinition(r -> r.family(live.family())
                        .networkMode(live.networkMode())
                        .requiresCompatibilitiesWithStrings(live.requiresCompatibilitiesAsStrings())
                        .cpu(live.cpu()).memory(live.memory())
                        .executionRoleArn(live.executionRoleArn())
                        .taskRoleArn(live.taskRoleArn())
                        .containerDefinitions(app))
                .taskDefinition().taskDefinitionArn();
    }

    /** The service's taskDefinition as the emulator now has it. */
    public static String serviceTaskDefinition(World world) {
        return world.ecs.describeServices(r -> r.cluster(World.CLUSTER).services(World.SERVICE))
                .services().get(0).taskDefinition();
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
