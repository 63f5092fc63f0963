package dev.pushdeploy.rollout;

import dev.pushdeploy.config.Strategy;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.error.TransientException;
import dev.pushdeploy.testing.SampleStack;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One ECS service in memory with real ECS deployment semantics: UpdateService makes a new PRIMARY
 * deployment (IN_PROGRESS) and turns the old PRIMARY ACTIVE; the circuit breaker rolls back by
 * a new PRIMARY on the last completed revision. With {@code tracksDeployments=false} it behaves
 * like moto: only the service's taskDefinition moves. Any other service does not exist.
 */
public final class FakeEcsServices implements EcsServices {
    private final String cluster;
    private final String service;
    private final boolean tracksDeployments;
    private boolean exists = true;
    private String taskDefinition;
    private final List<Deployment> deployments = new ArrayList<>();
    private String currentServiceDeployment;
    private int desiredCount = 2;
    private long nextId = 1_000_000_000_000_000_001L;
    public int updates;
    public int describes;
    /** When true, UpdateService answers without deployments (so the starter must re-read). */
    public boolean updateAnswersWithoutDeployments;
    /** The service's deployment strategy. */
    public Strategy.Type strategy = Strategy.Type.ROLLING;
    /** How many of the next UpdateService calls fail as throttled past the SDK's retries (and change nothing). */
    public int throttledUpdates;
    /** Revisions ECS refuses to move the service to, as it refuses deregistered (INACTIVE) ones. */
    public Predicate<String> inactive = revision -> false;

    /** World's service (pushdeploy/web) running {@code liveTaskDefinition}. */
    public FakeEcsServices(String liveTaskDefinition, boolean tracksDeployments) {
        this(SampleStack.CLUSTER, SampleStack.SERVICE, liveTaskDefinition, tracksDeployments);
    }

    public FakeEcsServices(String cluster, String service, String liveTaskDefinition, boolean tracksDeployments) {
        this.cluster = cluster;
        this.service = service;
        this.tracksDeployments = tracksDeployments;
        runOnly(liveTaskDefinition);
    }

    @Override
    public Optional<ServiceState> describe(String cluster, String service) {
        describes++;
        return is(cluster, service) ? Optional.of(state()) : Optional.empty();
    }

    @Override
    public ServiceState update(String cluster, String service, String revision, Integer count) {
        if (!is(cluster, service)) {
            throw new AwsFailureException("ecs:UpdateService " + cluster + "/" + service + " failed: ServiceNotFoundException", null);
        }
        if (inactive.test(revision)) {
            throw new AwsFailureException("ecs:UpdateService " + cluster + "/" + service + " to " + revision
                    + " failed: InvalidParameterException: TaskDefinition is inactive", null);
        }
        if (throttledUpdates > 0) {
            throttledUpdates--;
            throw new TransientException("ecs:UpdateService " + cluster + "/" + service + " failed transiently: ThrottlingException: Rate exceeded",
                    null);
        }
        updates++;
        if (count != null) {
            desiredCount = count;
        }
        boolean moved = !revision.equals(taskDefinition);
        taskDefinition = revision;
        if (tracksDeployments && moved) {
            demotePrimary(null);
            deployments.add(0, new Deployment(newId(), "PRIMARY", revision, "IN_PROGRESS", null, 0, desiredCount, 0, 0));
            currentServiceDeployment = serviceDeploymentOf(deployments.get(0));
        } else if (tracksDeployments) {
            for (int i = 0; i < deployments.size(); i++) {
                Deployment d = deployments.get(i);
                if (d.isPrimary()) {
                    deployments.set(i, new Deployment(d.id(), d.status(), d.taskDefinition(), d.rolloutState(), d.rolloutStateReason(),
                            d.runningCount(), desiredCount, d.pendingCount(), d.failedTasks()));
                }
            }
        }
        return updateAnswersWithoutDeployments
                ? new ServiceState(taskDefinition, List.of(), List.of(), List.of(), strategy, List.of()) : state();
    }

    /** The service runs {@code revision} alone: one COMPLETED PRIMARY deployment of 2 tasks. */
    public void runOnly(String revision) {
        runOnly(revision, 2);
    }

    /** The service runs {@code revision} alone with {@code count} tasks: one COMPLETED PRIMARY deployment. */
    public void runOnly(String revision, int count) {
        taskDefinition = revision;
        desiredCount = count;
        deployments.clear();
        deployments.add(new Deployment(newId(), "PRIMARY", revision, "COMPLETED", null, count, count, 0, 0));
        currentServiceDeployment = serviceDeploymentOf(deployments.get(0));
    }

    /** The service is deleted: it no longer exists. */
    public void delete() {
        exists = false;
    }

    /**
     * ECS's circuit breaker: the PRIMARY fails and a new PRIMARY returns to {@code revision}; the service's current
     * service deployment stays the failed one's, which reports the rollback.
     */
    public Deployment circuitBreakerRollsBackTo(String revision) {
        demotePrimary("FAILED");
        Deployment back = new Deployment(newId(), "PRIMARY", revision, "IN_PROGRESS", "rolling back", 0, desiredCount, 0, 0);
        deployments.add(0, back);
        taskDefinition = revision;
        return back;
    }

    public String taskDefinition() {
        return taskDefinition;
    }

    public int desiredCount() {
        return desiredCount;
    }

    public List<Deployment> deployments() {
        return List.copyOf(deployments);
    }

    private boolean is(String cluster, String service) {
        return exists && this.cluster.equals(cluster) && this.service.equals(service);
    }

    /** As ECS: the service names its current service deployment (a tracked one: the last UpdateService's). */
    private ServiceState state() {
        return new ServiceState(taskDefinition, deployments, List.of(), List.of(), strategy, List.of(),
                tracksDeployments ? currentServiceDeployment : null, desiredCount);
    }

    /** The ARN of the service deployment a deployment started. */
    public String serviceDeploymentOf(Deployment deployment) {
        return SERVICE_DEPLOYMENT_PREFIX + cluster + "/" + service + "/" + deployment.id();
    }

    public static final String SERVICE_DEPLOYMENT_PREFIX = "arn:aws:ecs:us-east-1:123456789012:service-deployment/";

    private void demotePrimary(String rolloutState) {
        for (int i = 0; i < deployments.size(); i++) {
            Deployment d = deployments.get(i);
            if (d.isPrimary()) {
                deployments.set(i, new Deployment(d.id(), "ACTIVE", d.taskDefinition(),
                        rolloutState == null ? d.rolloutState() : rolloutState, d.rolloutStateReason(),
                        d.runningCount(), d.desiredCount(), d.pendingCount(), d.failedTasks()));
            }
        }
    }

    private String newId() {
        return "ecs-svc/" + nextId++;
    }
}
