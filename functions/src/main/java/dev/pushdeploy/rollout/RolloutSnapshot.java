package dev.pushdeploy.rollout;

import dev.pushdeploy.rollout.AlarmStates.AlarmState;
import dev.pushdeploy.rollout.HookRecords.HookRecord;
import java.util.List;

/**
 * Everything one check observes about a service, as plain data: the input of the pure
 * {@link RolloutVerdict}. Built by {@link SdkRolloutObserver}.
 *
 * @param tasks             the service's tasks, running and stopped, of every deployment
 * @param targets           the health of every target registered in the service's target groups
 *                          (the alternate ones included)
 * @param smoke             the smoke check's answer, or null when none is configured
 * @param alarms            the states of the configured alarms (none for a check of a rollback)
 * @param serviceDeployment ECS's service deployment of the rollout: the one moving the service to its revision,
 *                          or the one whose rollback returns it there; null when ECS shows none (yet)
 * @param hook              what the lifecycle hook recorded about that service deployment; null when nothing
 */
public record RolloutSnapshot(ServiceState service, List<TaskState> tasks, List<TargetState> targets, SmokeResult smoke,
                              List<AlarmState> alarms, ServiceDeploymentState serviceDeployment, HookRecord hook) {
    public RolloutSnapshot {
        tasks = tasks == null ? List.of() : List.copyOf(tasks);
        targets = targets == null ? List.of() : List.copyOf(targets);
        alarms = alarms == null ? List.of() : List.copyOf(alarms);
    }

    /** A snapshot without alarms or a service deployment (a rolling service without alarms). */
    public RolloutSnapshot(ServiceState service, List<TaskState> tasks, List<TargetState> targets, SmokeResult smoke) {
        this(service, tasks, targets, smoke, List.of(), null, null);
    }

    /**
     * One task.
     *
     * @param startedBy the id of the deployment that started it (ECS sets this for service tasks)
     * @param privateIp the private IPv4 address of its ENI: its target id in an ip target group
     */
    public record TaskState(String taskArn, String startedBy, String taskDefinitionArn, String lastStatus,
                            String desiredStatus, String stopCode, String stoppedReason,
                            List<ContainerState> containers, String privateIp) {
        public TaskState {
            containers = containers == null ? List.of() : List.copyOf(containers);
        }

        /** The last segment of the ARN, as the console shows it. */
        public String shortId() {
            return taskArn == null ? "?" : taskArn.substring(taskArn.lastIndexOf('/') + 1);
        }

        public boolean isStopped() {
            return "STOPPED".equals(lastStatus);
        }

        public boolean isRunning() {
            return "RUNNING".equals(lastStatus);
        }
    }

    /** One container of a task; {@code exitCode} is null until it exits. */
    public record ContainerState(String name, String lastStatus, Integer exitCode, String reason) {
    }

    /** One registered target: {@code state} is initial, healthy, unhealthy, unused, draining or unavailable. */
    public record TargetState(String targetGroupArn, String id, Integer port, String state, String reason) {
        public boolean isHealthy() {
            return "healthy".equals(state);
        }
    }

    /** The smoke check's answer; {@code detail} says what was asked and what came back. */
    public record SmokeResult(boolean ok, String detail) {
    }
}
