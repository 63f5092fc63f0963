package dev.pushdeploy.local.ecs;

import java.util.List;

/**
 * What a service's {@code deploymentConfiguration} and load balancer's advanced configuration say
 * about a traffic-shifting strategy (moto keeps neither): the simulator runs its deployments
 * through ECS's lifecycle stages with these settings.
 *
 * @param strategy             BLUE_GREEN, CANARY or LINEAR
 * @param alternateTargetGroup the group the revision under test registers in when the live one uses the primary
 * @param hookFunction         the lifecycle hook's Lambda function name; null for none
 * @param hookStages           the stages the hook is invoked at
 * @param alarms               the deployment alarms (rollback when one is in ALARM)
 * @param testHeader           the header the test listener rule matches, and its value
 */
public record TrafficShift(String strategy, double canaryPercent, int canaryBakeMinutes, double stepPercent, int stepBakeMinutes,
                           int bakeMinutes, String alternateTargetGroup, String hookFunction, List<String> hookStages,
                           List<String> alarms, String testHeader, String testHeaderValue) {
    public TrafficShift {
        hookStages = List.copyOf(hookStages);
        alarms = List.copyOf(alarms);
    }

    /** The production weights of the new revision, in order: 100; the canary share then 100; or equal steps up to 100. */
    List<Double> shares() {
        return switch (strategy) {
            case "CANARY" -> List.of(canaryPercent, 100.0);
            case "LINEAR" -> {
                java.util.ArrayList<Double> steps = new java.util.ArrayList<>();
                for (double w = stepPercent; w < 100 - 1e-9; w += stepPercent) {
                    steps.add(Math.round(w * 10) / 10.0);
                }
                steps.add(100.0);
                yield steps;
            }
            default -> List.of(100.0);
        };
    }

    /** Seconds a share is watched before the next one. */
    double shareBakeSeconds() {
        return 60.0 * switch (strategy) {
            case "CANARY" -> canaryBakeMinutes;
            case "LINEAR" -> stepBakeMinutes;
            default -> 0;
        };
    }
}
