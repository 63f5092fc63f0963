package dev.pushdeploy.local.ecs;

import dev.pushdeploy.local.ecs.Scenario.Fate;

/** One simulated Fargate task of a deployment; its life follows its {@link Fate}, at the fleet's pace. */
final class SimTask {
    static final String PROVISIONING = "PROVISIONING";
    static final String PENDING = "PENDING";
    static final String RUNNING = "RUNNING";
    static final String DEACTIVATING = "DEACTIVATING";
    static final String STOPPING = "STOPPING";
    static final String STOPPED = "STOPPED";
    /** How long a crashing container runs before it exits, at any pace. */
    static final double CRASH_AFTER_START = 2;
    /** Draining takes this many pace units: DEACTIVATING for the first, STOPPING until the last. */
    static final double DRAIN_UNITS = 3;

    final String arn;
    final String id;
    final SimDeployment deployment;
    final Fate fate;
    final double createdAt;
    final double pace;
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
    /** The target group the task registers in (a traffic-shifting service has two). */
    String targetGroup;
    String targetReason;
    /** The (lastStatus, desiredStatus) last reported in a task state change event, and how many were. */
    String reported;
    int version;
    private Double drainAt;
    private double drainPace;
    private String drainedBy;

    /**
     * @param pace seconds per unit of the fate's timeline (1: a healthy rollout takes about 8 s)
     */
    SimTask(String arn, SimDeployment deployment, Fate fate, double createdAt, double pace, String ip) {
        this.arn = arn;
        this.id = arn.substring(arn.lastIndexOf('/') + 1);
        this.deployment = deployment;
        this.fate = fate;
        this.createdAt = createdAt;
        this.pace = pace;
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

    /**
     * The scheduler stops this task because deployment {@code by} replaces it; draining takes
     * {@value #DRAIN_UNITS} units of {@code pace} (the load balancer's deregistration delay).
     */
    void drain(double t, String by, double pace) {
        if (live() && !stopped()) {
            drainAt = t;
            drainPace = pace;
            drainedBy = by;
            desiredStatus = STOPPED;
            stoppingAt = t;
        }
    }

    /** What a task state change event reports; changes when lastStatus or desiredStatus does. */
    String status() {
        return lastStatus + "/" + desiredStatus;
    }

    /** The earliest time after {@code t} at which this task changes by itself, or infinity. */
    double nextChangeAfter(double t) {
        if (stopped()) {
            return Double.POSITIVE_INFINITY;
        }
        if (drainAt != null) {
            return firstAfter(t, drainAt + drainPace, drainAt + DRAIN_UNITS * drainPace);
        }
        Timeline line = timeline();
        return firstAfter(t, createdAt + line.pending, createdAt + line.running, createdAt + line.healthy,
                createdAt + line.unhealthy, createdAt + line.fails);
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
            if (t >= drainAt + DRAIN_UNITS * drainPace) {
                stop(t, "ServiceSchedulerInitiated", "Scaling activity initiated by (deployment " + drainedBy + ")", 0);
            } else {
                lastStatus = t < drainAt + drainPace ? DEACTIVATING : STOPPING;
                if (targetState != null) {
                    targetState = "draining";
                    targetReason = "Target.DeregistrationInProgress";
                }
            }
            return false;
        }
        Timeline line = timeline();
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
                if (age >= line.healthy) {
                    targetState = "healthy";
                    targetReason = null;
                }
                if (age >= line.unhealthy) {
                    targetState = "unhealthy";
                    targetReason = "Target.FailedHealthChecks";
                }
            }
        }
        if (age >= line.fails) {
            if (fate == Fate.PULL_FAILS) {
                stop(t, "TaskFailedToStart", deployment.startFailure, 0);
            } else if (fate == Fate.CRASH) {
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

    private Timeline timeline() {
        double never = Double.POSITIVE_INFINITY;
        return switch (fate) {
            case HEALTHY -> new Timeline(pace, 3 * pace, 5 * pace, never, never);
            case SLOW -> new Timeline(4 * pace, 15 * pace, 25 * pace, never, never);
            case CRASH -> new Timeline(pace, 3 * pace, never, never, 3 * pace + CRASH_AFTER_START);
            case UNHEALTHY -> new Timeline(pace, 3 * pace, never, 6 * pace, 11 * pace);
            case PULL_FAILS -> new Timeline(pace, never, never, never, 2 * pace);
        };
    }

    private static double firstAfter(double t, double... candidates) {
        double first = Double.POSITIVE_INFINITY;
        for (double c : candidates) {
            if (c > t && c < first) {
                first = c;
            }
        }
        return first;
    }

    /** Seconds after creation at which each phase is reached; infinity for never. */
    private record Timeline(double pending, double running, double healthy, double unhealthy, double fails) {
    }
}
