package dev.pushdeploy.adapter.aws;

import java.util.function.Supplier;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.rollout.ServiceDeploymentState;
import dev.pushdeploy.rollout.ServiceDeployments;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ConflictException;
import software.amazon.awssdk.services.ecs.model.ServiceDeployment;
import software.amazon.awssdk.services.ecs.model.ServiceDeploymentBrief;
import software.amazon.awssdk.services.ecs.model.ServiceDeploymentNotFoundException;
import software.amazon.awssdk.services.ecs.model.ServiceRevision;
import software.amazon.awssdk.services.ecs.model.StopServiceDeploymentStopType;

/**
 * {@link ServiceDeployments} over the SDK: ecs:ListServiceDeployments (the service's newest, created
 * from a minute before {@code since}), ecs:DescribeServiceDeployments ({@code status, statusReason,
 * lifecycleStage, targetServiceRevision.arn / .requestedProductionTrafficWeight /
 * .requestedTestTrafficWeight / .requestedTaskCount / .runningTaskCount / .pendingTaskCount,
 * rollback.reason / .serviceRevisionArn, deploymentCircuitBreaker.status / .failureCount / .threshold,
 * alarms.triggeredAlarmNames, startedAt, createdAt}), ecs:DescribeServiceRevisions (the target's and the
 * rollback's {@code taskDefinition}) and ecs:StopServiceDeployment (stop type ROLLBACK).
 *
 * <p>What cannot change is read once: a service revision is immutable, and so is a service deployment
 * once completed (SUCCESSFUL, STOPPED, ROLLBACK_SUCCESSFUL or ROLLBACK_FAILED); both are kept, at most
 * {@value #REMEMBERED} of each, so a check repeated while targets turn healthy makes fewer calls.
 */
public final class SdkServiceDeployments implements ServiceDeployments {
    /** Service deployments looked at per search: a rollout's is among the newest. */
    static final int CANDIDATES = 5;
    /** Clock skew allowed between our start time and ECS's createdAt. */
    static final long SKEW_MILLIS = 60_000;

    /** Service revisions and completed service deployments remembered, each. */
    static final int REMEMBERED = 256;
    private static final java.util.Set<String> COMPLETED = java.util.Set.of("SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL",
            "ROLLBACK_FAILED");

    private final Supplier<EcsClient> ecs;
    private final Map<String, String> revisionTaskDefinitions = remembered();
    private final Map<String, ServiceDeploymentState> completed = remembered();

    public SdkServiceDeployments(EcsClient ecs) {
        this(() -> ecs);
    }

    /** @param ecs the client, built on first use (a path that never calls it never builds it) */
    public SdkServiceDeployments(Supplier<EcsClient> ecs) {
        this.ecs = ecs;
    }

    private static <V> Map<String, V> remembered() {
        return java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > REMEMBERED;
            }
        });
    }

    @Override
    public Optional<ServiceDeploymentState> find(String cluster, String service, String taskDefinition, long sinceMillis) {
        List<String> arns = AwsCall.run("ecs:ListServiceDeployments " + cluster + "/" + service, () ->
                ecs.get().listServiceDeployments(r -> r.cluster(cluster).service(service).maxResults(CANDIDATES)
                        .createdAt(c -> c.after(Instant.ofEpochMilli(sinceMillis - SKEW_MILLIS)))))
                .serviceDeployments().stream().map(ServiceDeploymentBrief::serviceDeploymentArn).toList();
        if (arns.isEmpty()) {
            return Optional.empty();
        }
        List<ServiceDeployment> found = describeAll(arns);
        Map<String, String> taskDefinitions = taskDefinitions(found);
        return found.stream()
                .filter(d -> Revisions.same(taskDefinitions.get(d.targetServiceRevision().arn()), taskDefinition))
                .max(java.util.Comparator.comparing(d -> d.createdAt() == null ? Instant.EPOCH : d.createdAt()))
                .map(d -> state(d, taskDefinitions));
    }

    @Override
    public Optional<ServiceDeploymentState> describe(String serviceDeploymentArn) {
        ServiceDeploymentState done = completed.get(serviceDeploymentArn);
        if (done != null) {
            return Optional.of(done);
        }
        List<ServiceDeployment> found = describeAll(List.of(serviceDeploymentArn));
        Optional<ServiceDeploymentState> state = found.stream().findFirst().map(d -> state(d, taskDefinitions(found)));
        state.filter(d -> COMPLETED.contains(d.status())).ifPresent(d -> completed.put(serviceDeploymentArn, d));
        return state;
    }

    @Override
    public boolean rollBack(String serviceDeploymentArn) {
        return AwsCall.run("ecs:StopServiceDeployment " + serviceDeploymentArn, () -> {
            try {
                ecs.get().stopServiceDeployment(r -> r.serviceDeploymentArn(serviceDeploymentArn)
                        .stopType(StopServiceDeploymentStopType.ROLLBACK));
                return true;
            } catch (ConflictException | ServiceDeploymentNotFoundException e) {
                return false;
            }
        });
    }

    private List<ServiceDeployment> describeAll(List<String> arns) {
        return AwsCall.run("ecs:DescribeServiceDeployments " + arns.get(0), () ->
                ecs.get().describeServiceDeployments(r -> r.serviceDeploymentArns(arns))).serviceDeployments().stream()
                .filter(d -> d.targetServiceRevision() != null && d.targetServiceRevision().arn() != null)
                .toList();
    }

    /** Target service revision ARN → its task definition. */
    private Map<String, String> taskDefinitions(List<ServiceDeployment> deployments) {
        List<String> revisions = deployments.stream()
                .flatMap(d -> java.util.stream.Stream.of(d.targetServiceRevision().arn(),
                        d.rollback() == null ? null : d.rollback().serviceRevisionArn()))
                .filter(arn -> arn != null).distinct().toList();
        Map<String, String> byRevision = new HashMap<>();
        revisions.forEach(arn -> {
            String known = revisionTaskDefinitions.get(arn);
            if (known != null) {
                byRevision.put(arn, known);
            }
        });
        List<String> unknown = revisions.stream().filter(arn -> !byRevision.containsKey(arn)).toList();
        if (unknown.isEmpty()) {
            return byRevision;
        }
        AwsCall.run("ecs:DescribeServiceRevisions " + unknown.get(0), () ->
                        ecs.get().describeServiceRevisions(r -> r.serviceRevisionArns(unknown)))
                .serviceRevisions().forEach((ServiceRevision r) -> {
                    byRevision.put(r.serviceRevisionArn(), r.taskDefinition());
                    revisionTaskDefinitions.put(r.serviceRevisionArn(), r.taskDefinition());
                });
        return byRevision;
    }

    private static ServiceDeploymentState state(ServiceDeployment d, Map<String, String> taskDefinitions) {
        Instant started = d.startedAt() != null ? d.startedAt() : d.createdAt() != null ? d.createdAt() : Instant.EPOCH;
        return new ServiceDeploymentState(d.serviceDeploymentArn(), d.statusAsString(), d.statusReason(),
                d.lifecycleStage() == null ? null : d.lifecycleStageAsString(), d.targetServiceRevision().arn(),
                taskDefinitions.get(d.targetServiceRevision().arn()),
                d.targetServiceRevision().requestedProductionTrafficWeight(),
                d.targetServiceRevision().requestedTestTrafficWeight(),
                d.rollback() == null ? null : d.rollback().reason(),
                d.alarms() == null ? List.of() : d.alarms().triggeredAlarmNames(),
                started.toEpochMilli(),
                d.rollback() == null || d.rollback().serviceRevisionArn() == null ? null
                        : taskDefinitions.get(d.rollback().serviceRevisionArn()),
                d.deploymentCircuitBreaker() == null ? null : new ServiceDeploymentState.CircuitBreaker(
                        d.deploymentCircuitBreaker().statusAsString(), zeroIfNull(d.deploymentCircuitBreaker().failureCount()),
                        zeroIfNull(d.deploymentCircuitBreaker().threshold())),
                new ServiceDeploymentState.Tasks(zeroIfNull(d.targetServiceRevision().requestedTaskCount()),
                        zeroIfNull(d.targetServiceRevision().runningTaskCount()),
                        zeroIfNull(d.targetServiceRevision().pendingTaskCount())));
    }

    private static int zeroIfNull(Integer value) {
        return value == null ? 0 : value;
    }
}
