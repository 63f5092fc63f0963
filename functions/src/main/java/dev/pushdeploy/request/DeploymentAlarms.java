package dev.pushdeploy.request;

import dev.pushdeploy.config.Target;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.rollout.AlarmStates;
import java.util.List;

/** The deployment alarms a target's rollouts are judged by, which must exist before a run or a release changes anything. */
final class DeploymentAlarms {
    private DeploymentAlarms() {
    }

    /**
     * Refuses ({@code field} named) when CloudWatch lacks one of the target's alarms (misnamed in DeploymentAlarmNames, or
     * deleted): its rollouts would be judged without it, their health passing unguarded.
     */
    static void require(AlarmStates alarms, Target target, String field) {
        List<String> configured = target.health().alarms();
        if (configured.isEmpty()) {
            return;
        }
        List<String> missing = alarms.describeEach(configured).stream().filter(a -> !a.exists()).map(AlarmStates.AlarmState::name)
                .toList();
        if (!missing.isEmpty()) {
            throw new InvalidRequestException(field, "CloudWatch has no alarm " + String.join(", ", missing) + " (of "
                    + target.serviceKey() + "'s deployment alarms): its rollouts would be judged without it; create it, or"
                    + " take it out of DeploymentAlarmNames");
        }
    }
}
