package dev.pushdeploy.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** CloudWatch alarms' current states. */
@FunctionalInterface
public interface AlarmStates {
    /** The states of the named alarms (metric and composite); names CloudWatch does not know are left out. */
    List<AlarmState> describe(List<String> names);

    /** The states of the named alarms, and {@link AlarmState#missing} for each name CloudWatch does not know. */
    default List<AlarmState> describeEach(List<String> names) {
        List<AlarmState> states = new ArrayList<>(describe(names));
        Set<String> known = states.stream().map(AlarmState::name).collect(Collectors.toSet());
        names.stream().filter(name -> !known.contains(name)).forEach(name -> states.add(AlarmState.missing(name)));
        return states;
    }

    /**
     * One alarm: {@code state} is OK, ALARM or INSUFFICIENT_DATA (null: CloudWatch has no such alarm), {@code reason}
     * CloudWatch's state reason, {@code since} when it entered that state (epoch millis).
     */
    record AlarmState(String name, String state, String reason, long since) {
        /** An alarm the run is judged by that CloudWatch no longer has (deleted while the run went on). */
        public static AlarmState missing(String name) {
            return new AlarmState(name, null, null, 0);
        }

        public boolean inAlarm() {
            return "ALARM".equals(state);
        }

        public boolean exists() {
            return state != null;
        }
    }
}
