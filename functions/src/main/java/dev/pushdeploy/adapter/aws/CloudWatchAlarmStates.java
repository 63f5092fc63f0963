package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.rollout.AlarmStates;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.AlarmType;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsResponse;
import java.util.function.Supplier;

/**
 * {@link AlarmStates} with cloudwatch:DescribeAlarms (metric and composite alarms by name):
 * {@code AlarmName, StateValue, StateReason, StateUpdatedTimestamp}.
 */
public final class CloudWatchAlarmStates implements AlarmStates {
    /** DescribeAlarms takes at most 100 names. */
    static final int MAX_NAMES = 100;

    private final Supplier<CloudWatchClient> cloudWatch;

    /** @param cloudWatch the client, built on first use (a path that never calls it never builds it) */
    public CloudWatchAlarmStates(Supplier<CloudWatchClient> cloudWatch) {
        this.cloudWatch = cloudWatch;
    }

    @Override
    public List<AlarmState> describe(List<String> names) {
        List<AlarmState> states = new ArrayList<>();
        for (int i = 0; i < names.size(); i += MAX_NAMES) {
            List<String> batch = names.subList(i, Math.min(names.size(), i + MAX_NAMES));
            DescribeAlarmsResponse response = AwsCall.run("cloudwatch:DescribeAlarms " + String.join(",", batch), () ->
                    cloudWatch.get().describeAlarms(r -> r.alarmNames(batch).alarmTypes(AlarmType.METRIC_ALARM, AlarmType.COMPOSITE_ALARM)));
            response.metricAlarms().forEach(a -> states.add(new AlarmState(a.alarmName(), a.stateValueAsString(),
                    a.stateReason(), millis(a.stateUpdatedTimestamp()))));
            response.compositeAlarms().forEach(a -> states.add(new AlarmState(a.alarmName(), a.stateValueAsString(),
                    a.stateReason(), millis(a.stateUpdatedTimestamp()))));
        }
        return states;
    }

    private static long millis(Instant instant) {
        return instant == null ? 0 : instant.toEpochMilli();
    }
}
