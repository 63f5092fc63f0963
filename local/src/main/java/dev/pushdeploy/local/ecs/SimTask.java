package dev.pushdeploy.local.ecs;

import dev.pushdeploy.local.ecs.Scenario.Fate;

/** One simulated Fargate task of a deployment; its life follows its {@link Fate}. */
final class SimTask {
    static final String PROVISIONING = "PROVISIONING";
    static final String PENDING = "PENDING";
    static final String RUNNING = "RUNNING";
    static final String DEACTIVATING = "DEACTIVATING";
    static final String STOPPING = "STOPPING";
    static final String STOPPED = "STOPPED";
    static final double DRAIN_SECONDS = 3;

    final String arn;
    final String id;
    final SimDeployment deployment;
    final Fate fate;
    final double createdAt;
    final String ip;
    final String eniId;
    String lastStatus = PROVISIONING;
    String desiredStatus = RUNNING;
    Double startedAt;
    Double stoppingAt;
    Double stoppedAt;
    String stopCode;
    String stoppedReason;
    Integer exitCode;
    /** ALB target state: null (not registered), initial, healthy, unhealthy, draining. */
    String targetState;
    String targetReason;
    private Double drainAt;
    private String drainedBy;

    SimTask(String arn, SimDeployment deployment, Fate fate, double createdAt, String ip) {
        this.arn = arn;
        this.id = arn.substring(arn.lastIndexOf('/') + 1);
        this.deployment = deployment;
        this.fate = fate;
        this.createdAt = createdAt;
        this.ip = ip;
        this.eniId = "eni-" + id.substring(0, 17);
    }

    boolean live() {
        return RUNNING.equals(desiredStatus);
    }

    boolean stopped() {
        return STOPPED.equals(lastStatus);
    }

    /** Running and, when a load balancer is attached, passing its health check. */
    boolean ready(boolean loadBalanced) {
        return RUNNING.equals(lastStatus) && live() && (!loadBalanced || "healthy".equals(targetState));
    }

    /** The scheduler stops this task because deployment {@code by} replaces it. */
    void drain(double t, String by) {
        if (live() && !stopped()) {
            drainAt = t;
            drainedBy = by;
            desiredStatus = STOPPED;
            stoppingAt = t;
        }
    }

    /**
     * Advances the task to time {@code t}.
     *
     * @return true when the task failed at this step (it counts against the circuit breaker)
     */
    boolean advance(double t, boolean loadBalanced, String targetGroupArn) {
        if (stopped()) {
            return false;
        }
        if (drainAt != null) {
            if (t >= drainAt + DRAIN_SECONDS) {
                stop(t, "ServiceSchedulerInitiated", "Scaling activity initiated by (deployment " + drainedBy + ")", 0);
            } else {
                lastStatus = t < drainAt + 1 ? DEACTIVATING : STOPPING;
                if (targetState != null) {
                    targetState = "draining";
                    targetReason = "Target.DeregistrationInProgress";
                }
            }
            return false;
        }
        Timeline line = Timeline.of(fate);
        double age = t - createdAt;
        if (age < line.pending) {
            lastStatus = PROVISIONING;
        } else if (age < line.running) {
            lastStatus = PENDING;
        } else {
            lastStatus = RUNNING;
            if (startedAt == null) {
                startedAt = createdAt + line.running;
            }
            if (loadBalanced) {
                targetState = "initial";
                targetReason = "Elb.RegistrationInProgress";
                if (line.healthy >= 0 && age >= line.healthy) {
                    targetState = "healthy";
                    targetReason = null;
                }
                if (line.unhealthy >= 0 && age >= line.unhealthy) {
                    targetState = "unhealthy";
                    targetReason = "Target.FailedHealthChecks";
                }
            }
        }
        if (line.fails >= 0 && age >= line.fails) {
            if (fate == Fate.CRASH) {
                stop(t, "EssentialContainerExited", "Essential container in task exited", 1);
            } else {
                stop(t, "ServiceSchedulerInitiated", "Task failed ELB health checks in (target-group " + targetGroupArn + ")",
                        143);
            }
            return true;
        }
        return false;
    }

    private void stop(double t, String code, String reason, int exit) {
        lastStatus = STOPPED;
        desiredStatus = STOPPED;
        if (stoppingAt == null) {
            stoppingAt = t;
        }
        stoppedAt = t;
        stopCode = code;
        stoppedReason = reason;
        exitCode = startedAt == null ? null : exit;
        targetState = null;
        targetReason = null;
    }

    /** Seconds after creation at which each phase is reached; -1 for never. */
    private record Timeline(double pending, double running, double healthy, double unhealthy, double fails) {
        static Timeline of(Fate fate) {
            return switch (fate) {
                case HEALTHY -> new Timeline(1, 3, 5, -1, -1);
                case SLOW -> new Timeline(4, 15, 25, -1, -1);
                case CRASH -> new Timeline(1, 3, -1, -1, 5);
                case UNHEALTHY -> new Timeline(1, 3, -1, 6, 11);
            };
        }
    }
}
