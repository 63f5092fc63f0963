package dev.pushdeploy.adapter.aws;

import java.util.function.Supplier;
import dev.pushdeploy.config.Strategy;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.rollout.Deployment;
import dev.pushdeploy.rollout.EcsServices;
import dev.pushdeploy.rollout.ServiceState;
import java.util.Optional;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ClusterNotFoundException;
import software.amazon.awssdk.services.ecs.model.LoadBalancer;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.ServiceEvent;

/**
 * {@link EcsServices} over the SDK. Reads, of a service: {@code status} (a service that is not
 * ACTIVE counts as absent), {@code taskDefinition}, {@code loadBalancers[].targetGroupArn} and
 * {@code .advancedConfiguration.alternateTargetGroupArn}, {@code deploymentConfiguration.strategy}, {@code desiredCount},
 * {@code events[].message} and, per deployment,
 * {@code id, status, taskDefinition, rolloutState, rolloutStateReason, runningCount,
 * desiredCount, pendingCount, failedTasks}.
 */
public final class SdkEcsServices implements EcsServices {
    private static final String ACTIVE = "ACTIVE";

    private final Supplier<EcsClient> ecs;

    public SdkEcsServices(EcsClient ecs) {
        this(() -> ecs);
    }

    /** @param ecs the client, built on first use (a path that never calls it never builds it) */
    public SdkEcsServices(Supplier<EcsClient> ecs) {
        this.ecs = ecs;
    }

    @Override
    public Optional<ServiceState> describe(String cluster, String service) {
        return AwsCall.run("ecs:DescribeServices " + cluster + "/" + service, () -> {
            try {
                return ecs.get().describeServices(r -> r.cluster(cluster).services(service)).services().stream()
                        .filter(s -> ACTIVE.equals(s.status()))
                        .findFirst()
                        .map(SdkEcsServices::toState);
            } catch (ClusterNotFoundException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public ServiceState update(String cluster, String service, String taskDefinition, Integer desiredCount) {
        Service updated = AwsCall.run("ecs:UpdateService " + cluster + "/" + service + " to " + taskDefinition
                        + (desiredCount == null ? "" : " with " + desiredCount + " tasks"),
                () -> ecs.get().updateService(r -> r.cluster(cluster).service(service).taskDefinition(taskDefinition)
                        .desiredCount(desiredCount)).service());
        if (updated == null) {
            throw new AwsFailureException("ecs:UpdateService " + cluster + "/" + service + " answered no service", null);
        }
        return toState(updated);
    }

    static ServiceState toState(Service service) {
        return new ServiceState(
                service.taskDefinition(),
                service.deployments().stream().map(d -> new Deployment(
                        d.id(), d.status(), d.taskDefinition(), d.rolloutStateAsString(), d.rolloutStateReason(),
                        zeroIfNull(d.runningCount()), zeroIfNull(d.desiredCount()), zeroIfNull(d.pendingCount()),
                        zeroIfNull(d.failedTasks()))).toList(),
                service.loadBalancers().stream().map(LoadBalancer::targetGroupArn).filter(arn -> arn != null).toList(),
                service.events().stream().map(ServiceEvent::message).filter(m -> m != null).toList(),
                Strategy.Type.of(service.deploymentConfiguration() == null ? null
                        : service.deploymentConfiguration().strategyAsString()),
                service.loadBalancers().stream().map(LoadBalancer::advancedConfiguration).filter(a -> a != null)
                        .map(a -> a.alternateTargetGroupArn()).filter(arn -> arn != null).toList(),
                service.currentServiceDeployment(),
                service.desiredCount());
    }

    private static int zeroIfNull(Integer value) {
        return value == null ? 0 : value;
    }
}
