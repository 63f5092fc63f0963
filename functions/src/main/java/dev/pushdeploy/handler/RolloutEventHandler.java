package dev.pushdeploy.handler;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.adapter.aws.CloudWatchAlarmStates;
import dev.pushdeploy.adapter.aws.DynamoHookRecords;
import dev.pushdeploy.adapter.aws.DynamoLedger;
import dev.pushdeploy.adapter.aws.DynamoRolloutWatches;
import dev.pushdeploy.adapter.aws.SdkRolloutObserver;
import dev.pushdeploy.adapter.aws.SfnTaskTokens;
import dev.pushdeploy.adapter.aws.SsmConfigSource;
import dev.pushdeploy.adapter.http.HttpSmokeCheck;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.ledger.Lease;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.ServiceScoped;
import dev.pushdeploy.rollout.RolloutChecker;
import dev.pushdeploy.rollout.RolloutObserver;
import dev.pushdeploy.rollout.RolloutWatcher;
import dev.pushdeploy.rollout.RolloutWatches;
import dev.pushdeploy.rollout.TaskTokens;
import java.time.Clock;
import java.util.List;

/**
 * RolloutEvents: the target of the rules on ECS's deployment and task state change events. It
 * finds the service the event is about and, when a workflow waits for that service's rollout,
 * checks it and resumes the workflow once the verdict is final ({@link RolloutWatcher}).
 */
public final class RolloutEventHandler extends StepHandler<RolloutEventHandler.Event, RolloutEventHandler.Answer> {
    static final String TASK_STATE_CHANGE = "ECS Task State Change";
    /** The fields of an ECS event (deployment or task state change) this function reads. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Event(String source, @JsonProperty("detail-type") String detailType, List<String> resources, Detail detail)
            implements ServiceScoped {
        /** {@code cluster/service}: from the service ARN of a deployment event, from a task's cluster and group. */
        @Override
        public String serviceKey() {
            if (detail != null && detail.group() != null && detail.group().startsWith("service:") && detail.clusterArn() != null) {
                return last(detail.clusterArn()) + "/" + detail.group().substring("service:".length());
            }
            for (String arn : resources == null ? List.<String>of() : resources) {
                String[] parts = arn.split(":service/");
                if (parts.length == 2 && parts[1].contains("/")) {
                    return parts[1];
                }
            }
            return null;
        }

        private static String last(String arn) {
            return arn.substring(arn.lastIndexOf('/') + 1);
        }
    }

    /** The event's detail, as far as it is read. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Detail(String eventName, String deploymentId, String clusterArn, String group, String lastStatus,
                         String stopCode, String taskDefinitionArn) {
    }

    /**
     * @param waited whether the event re-checked a rollout a workflow waits for
     * @param check  the check made, null when none was
     */
    public record Answer(String service, boolean waited, CheckResult check) {
    }

    private final RolloutWatcher watcher;

    /** Wired from the environment, as Lambda runs it. */
    public RolloutEventHandler() {
        this(Clock.systemUTC());
    }

    /** Wired from the environment, reading time from {@code clock}. */
    public RolloutEventHandler(Clock clock) {
        this(Env.require(Env.CONFIG_PARAMETER), Env.require(Env.TABLE_NAME), clock);
    }

    private RolloutEventHandler(String configParameter, String table, Clock clock) {
        this(new SdkRolloutObserver(Aws::ecs, Aws::elb, HttpSmokeCheck.withDefaultTimeouts(),
                        new CloudWatchAlarmStates(Aws::cloudWatch), new DynamoHookRecords(Aws.dynamoDb(), table)),
                new SsmConfigSource(Aws::ssm, configParameter), new Lease(new DynamoLedger(Aws.dynamoDb(), table), clock),
                new DynamoRolloutWatches(Aws.dynamoDb(), table), new SfnTaskTokens(Aws::sfn), clock);
    }

    public RolloutEventHandler(RolloutObserver observer, ConfigSource config, RolloutChecker.Progress progress,
                               RolloutWatches watches, TaskTokens tokens, Clock clock) {
        super(Event.class, "RolloutEvents");
        this.watcher = new RolloutWatcher(new RolloutChecker(observer, config, progress, clock), watches, tokens);
    }

    @Override
    protected Event primingInput(PrimingSample sample) {
        String service = "arn:aws:ecs:us-east-1:000000000000:service/" + sample.target().cluster() + "/" + sample.target().service();
        return new Event("aws.ecs", "ECS Deployment State Change", List.of(service),
                new Detail("SERVICE_DEPLOYMENT_IN_PROGRESS", null, null, null, null, null, null));
    }

    @Override
    protected Answer handle(Event event, StepLog log) {
        String key = event.serviceKey();
        if (!"aws.ecs".equals(event.source()) || key == null) {
            throw new InvalidRequestException("event", "not an ECS event about a service (source " + event.source()
                    + ", detail-type " + event.detailType() + ")");
        }
        String[] parts = key.split("/", 2);
        String stoppedRevision = TASK_STATE_CHANGE.equals(event.detailType()) && event.detail() != null
                ? event.detail().taskDefinitionArn() : null;
        CheckResult check = watcher.onEvent(parts[0], parts[1], stoppedRevision, log).orElse(null);
        return new Answer(key, check != null, check);
    }
}
