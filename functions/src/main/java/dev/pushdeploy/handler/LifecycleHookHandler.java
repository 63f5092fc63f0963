package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.adapter.aws.CloudWatchAlarmStates;
import dev.pushdeploy.adapter.aws.DynamoHookRecords;
import dev.pushdeploy.adapter.aws.DynamoRolloutWatches;
import dev.pushdeploy.adapter.aws.SdkRolloutObserver;
import dev.pushdeploy.adapter.aws.SdkServiceDeployments;
import dev.pushdeploy.adapter.aws.SsmConfigSource;
import dev.pushdeploy.adapter.http.HttpSmokeCheck;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.HookAnswer;
import dev.pushdeploy.model.HookRequest;
import dev.pushdeploy.model.ServiceScoped;
import dev.pushdeploy.rollout.AlarmStates;
import dev.pushdeploy.rollout.HookRecords;
import dev.pushdeploy.rollout.LifecycleHook;
import dev.pushdeploy.rollout.RolloutObserver;
import dev.pushdeploy.rollout.RolloutWatches;
import dev.pushdeploy.rollout.ServiceDeployments;
import dev.pushdeploy.rollout.TestListenerProbe;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ECS lifecycle hook of the traffic-shifting strategies: ECS's payload in, {@code hookStatus}
 * (and {@code callBackDelay}, {@code hookDetails}) out. Not a state of the workflow: ECS invokes it.
 */
public final class LifecycleHookHandler extends StepHandler<LifecycleHookHandler.Event, HookAnswer> {
    /** ECS's payload, as it arrives. */
    public record Event(String executionId, String lifecycleStage, String resourceArn, ExecutionDetails executionDetails,
                        Map<String, Object> hookDetails) implements ServiceScoped {
        @Override
        public String serviceKey() {
            return request().serviceKey();
        }

        HookRequest request() {
            ExecutionDetails d = executionDetails == null ? new ExecutionDetails(null, null, null, null) : executionDetails;
            Map<String, String> details = new LinkedHashMap<>();
            if (hookDetails != null) {
                hookDetails.forEach((k, v) -> details.put(k, String.valueOf(v)));
            }
            return new HookRequest(executionId, lifecycleStage, resourceArn, d.serviceArn(), d.targetServiceRevisionArn(),
                    d.productionTrafficWeights(), d.testTrafficWeights(), details);
        }
    }

    /** {@code executionDetails} of the payload. */
    public record ExecutionDetails(String serviceArn, String targetServiceRevisionArn, Map<String, Double> testTrafficWeights,
                                   Map<String, Double> productionTrafficWeights) {
    }

    private final LifecycleHook hook;

    /** Wired from the environment, as Lambda runs it. */
    public LifecycleHookHandler() {
        this(Clock.systemUTC());
    }

    /** Wired from the environment, reading time from {@code clock}. */
    public LifecycleHookHandler(Clock clock) {
        this(Env.require(Env.TABLE_NAME), clock);
    }

    private LifecycleHookHandler(String table, Clock clock) {
        this(new SsmConfigSource(Aws::ssm, Env.require(Env.CONFIG_PARAMETER)), new SdkServiceDeployments(Aws::ecs),
                new SdkRolloutObserver(Aws.ecs(), Aws.elb(), HttpSmokeCheck.withDefaultTimeouts()),
                HttpSmokeCheck.withDefaultTimeouts(), new CloudWatchAlarmStates(Aws::cloudWatch),
                new DynamoHookRecords(Aws.dynamoDb(), table), new DynamoRolloutWatches(Aws.dynamoDb(), table), clock);
    }

    /** @param watches where the run that started a deployment left its watch (the configuration version it reads) */
    public LifecycleHookHandler(ConfigSource config, ServiceDeployments deployments, RolloutObserver observer, TestListenerProbe probe,
                                AlarmStates alarms, HookRecords records, RolloutWatches watches, Clock clock) {
        super(Event.class, "LifecycleHook");
        this.hook = new LifecycleHook(config, deployments, observer, probe, alarms, records, watches, clock);
    }

    /**
     * The first configured service's hook after test traffic moved onto its target revision, for the priming's own
     * service deployment ({@link PrimingSample#serviceDeploymentArn()}, answered in process); none when the service has
     * no live revision.
     */
    @Override
    protected Event primingInput(PrimingSample sample) {
        String deployment = sample.serviceDeploymentArn();
        if (deployment == null) {
            return null;
        }
        String revision = sample.serviceRevisionArn();
        return new Event(PrimingSample.REQUEST_ID, "POST_TEST_TRAFFIC_SHIFT", deployment,
                new ExecutionDetails(sample.serviceArn(), revision, Map.of(revision, 100.0), Map.of()), null);
    }

    @Override
    protected HookAnswer handle(Event event, StepLog log) {
        HookRequest request = event.request();
        if (request.stage() == null || request.serviceDeploymentArn() == null || request.serviceKey() == null) {
            throw new InvalidRequestException("input", "not an ECS lifecycle hook payload: lifecycleStage, resourceArn and "
                    + "executionDetails.serviceArn are required");
        }
        return hook.answer(request, log);
    }
}
