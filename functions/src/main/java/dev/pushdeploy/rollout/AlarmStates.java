package dev.pushdeploy.rollout;

import java.util.List;

/** CloudWatch alarms' current states. */
@FunctionalInterface
public interface AlarmStates {
    /** The states of the named alarms (metric and composite); names CloudWatch does not know are left out. */
    List<AlarmState> describe(List<String> names);

    /**
     * One alarm: {@code state} is OK, ALARM or INSUFFICIENT_DATA, {@code reason} CloudWatch's state
     * reason, {@code since} when it entered that state (epoch millis).
     */
    record AlarmState(String name, String state, String reason, long since) {
        public boolean inAlarm() {
            return "ALARM".equals(state);
        }
    }
}
