package dev.pushdeploy.rollout;

import java.util.ArrayList;
import java.util.List;

/**
 * In-memory ECS service with real ECS deployment semantics: UpdateService makes a new PRIMARY
 * deployment (IN_PROGRESS) and turns the old PRIMARY ACTIVE; the circuit breaker rolls back by
 * a new PRIMARY on the last completed revision. With {@code tracksDeployments=false} it behaves
 * like moto: only the service's taskDefinition moves.
 */
public final class FakeEcsServices implements EcsServices {
    private final boolean tracksDeployments;
    private String taskDefinition;
    private final List<Deployment> deployments = new ArrayList<>();
    private long nextId = 1_000_000_000_000_000_001L;
    public int updates;
    public int describes;
    /** When true, UpdateService answers without deployments (so the starter must re-read). */
    public boolean updateAnswersWithoutDeployments;

    public FakeEcsServices(String liveTaskDefinition, boolean tracksDeployments) {
        this.taskDefinition = liveTaskDefinition;
        this.tracksDeployments = tracksDeployments;
        deployments.add(new Deployment(newId(), "PRIMARY", liveTaskDefinition, "COMPLETED", null, 2, 2, 0, 0));
    }

    @Override
    public ServiceState describe(String cluster, String service) {
        describes++;
        return state();
    }

    @Override
    public ServiceState update(String cluster, String service, String revision) {
        updates++;
        taskDefinition = revision;
        if (tracksDeployments) {
            demotePrimary(null);
            deployments.add(0, new Deployment(newId(), "PRIMARY", revision, "IN_PROGRESS", null, 0, 2, 0, 0));
        }
        return updateAnswersWithoutDeployments ? new ServiceState(taskDefinition, List.of(), List.of(), List.of()) : state();
    }

    /** ECS's circuit breaker: the PRIMARY fails and a new PRIMARY returns to {@code revision}. */
    public Deployment circuitBreakerRollsBackTo(String revision) {
        demotePrimary("FAILED");
        Deployment back = new Deployment(newId(), "PRIMARY", revision, "IN_PROGRESS", "rolling back", 0, 2, 0, 0);
        deployments.add(0, back);
        taskDefinition = revision;
        return back;
    }

    public String taskDefinition() {
        return taskDefinition;
    }

    public List<Deployment> deployments() {
        return List.copyOf(deployments);
    }

    private ServiceState state() {
        return new ServiceState(taskDefinition, deployments, List.of(), List.of());
    }

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
