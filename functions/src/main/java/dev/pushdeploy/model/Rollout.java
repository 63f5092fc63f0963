package dev.pushdeploy.model;

/**
 * A deployment we started ({@code $.rollout}, or {@code $.rollback} for the way back).
 *
 * @param deploymentId ECS deployment id of our PRIMARY deployment
 * @param startedAt    epoch millis
 * @param deadlineAt   epoch millis after which an unfinished rollout is TIMED_OUT
 * @param started      false when a retry found the deployment already started
 * @param serviceDeploymentArn ECS's service deployment of the move (the service's {@code currentServiceDeployment}
 *                     after UpdateService); null when unknown (a retry, an emulator without service deployments)
 * @param desiredCount the tasks the move asked for with the revision; null when the service kept its count. A way
 *                     back to 0 tasks (a first release undone) is healthy with none running.
 * @param recheckSeconds how long the workflow's watch waits for ECS's events before it checks again (its task's
 *                     TimeoutSecondsPath), within {@value #MIN_RECHECK_SECONDS} and {@value #MAX_RECHECK_SECONDS};
 *                     0 or less takes {@link #recheckSeconds(long, long)} of the window
 * @param copyOf       the revision the move stands in for when {@code taskDefinition} is a copy of it, registered
 *                     because ECS refused to move the service back to it (INACTIVE: deregistered); else null
 */
public record Rollout(String deploymentId, String taskDefinition, long startedAt, long deadlineAt, boolean started,
                      String serviceDeploymentArn, Integer desiredCount, int recheckSeconds, String copyOf) {
    /** The shortest wait between two rechecks (the one wait before it grew with the deadline). */
    public static final int MIN_RECHECK_SECONDS = 300;
    /** The longest: a quarter of the longest deadline (an hour). */
    public static final int MAX_RECHECK_SECONDS = 900;
    /** Rechecks in a window of more than {@code RECHECKS * MIN_RECHECK_SECONDS}: the last one finds the deadline passed. */
    public static final int RECHECKS = 4;

    public Rollout {
        recheckSeconds = recheckSeconds <= 0 ? recheckSeconds(startedAt, deadlineAt)
                : Math.clamp(recheckSeconds, MIN_RECHECK_SECONDS, MAX_RECHECK_SECONDS);
    }

    public Rollout(String deploymentId, String taskDefinition, long startedAt, long deadlineAt, boolean started,
                   String serviceDeploymentArn, Integer desiredCount, int recheckSeconds) {
        this(deploymentId, taskDefinition, startedAt, deadlineAt, started, serviceDeploymentArn, desiredCount, recheckSeconds, null);
    }

    public Rollout(String deploymentId, String taskDefinition, long startedAt, long deadlineAt, boolean started,
                   String serviceDeploymentArn, Integer desiredCount) {
        this(deploymentId, taskDefinition, startedAt, deadlineAt, started, serviceDeploymentArn, desiredCount, 0);
    }

    /** A move that kept the service's desired count. */
    public Rollout(String deploymentId, String taskDefinition, long startedAt, long deadlineAt, boolean started,
                   String serviceDeploymentArn) {
        this(deploymentId, taskDefinition, startedAt, deadlineAt, started, serviceDeploymentArn, null);
    }

    /**
     * The recheck interval of a rollout from {@code startedAt} to {@code deadlineAt}: a quarter of the window, at least
     * {@value #MIN_RECHECK_SECONDS} s and at most {@value #MAX_RECHECK_SECONDS} s. A rollout costs the same few
     * rechecks however long it may take, and the one that finds the deadline passed comes no later than with a
     * fixed {@value #MIN_RECHECK_SECONDS} s.
     */
    public static int recheckSeconds(long startedAt, long deadlineAt) {
        long windowSeconds = Math.max(0, deadlineAt - startedAt + 999) / 1000;
        long quarter = (windowSeconds + RECHECKS - 1) / RECHECKS;
        return (int) Math.min(MAX_RECHECK_SECONDS, Math.max(MIN_RECHECK_SECONDS, quarter));
    }

    /** Whether the move takes the service to {@code revision}, itself or a copy of it. */
    public boolean movesTo(String revision) {
        return Revisions.same(taskDefinition, revision) || Revisions.same(copyOf, revision);
    }

    /** The revision moved to, short, and what it stands for when it is a copy: "web:7 (web:4 registered again: ...)". */
    public String target() {
        return Revisions.shortName(taskDefinition)
                + (copyOf == null ? "" : " (" + Revisions.shortName(copyOf) + " registered again: it had been deregistered)");
    }

    /** Whether the move takes the service to no tasks at all. */
    public boolean toZero() {
        return desiredCount != null && desiredCount == 0;
    }
}
