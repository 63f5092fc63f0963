package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.CloudWatchAlarmStates;
import dev.pushdeploy.adapter.aws.SsmConfigSource;
import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.adapter.aws.DynamoLedger;
import dev.pushdeploy.adapter.aws.EcrRegistry;
import dev.pushdeploy.adapter.aws.EcsTaskDefinitions;
import dev.pushdeploy.adapter.aws.SdkEcsServices;
import dev.pushdeploy.adapter.aws.SfnExecutions;
import dev.pushdeploy.adapter.aws.SsmSlotParameters;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.rollout.AlarmStates;
import dev.pushdeploy.ledger.LedgerReader;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.request.ExecutionIntents;
import dev.pushdeploy.request.ImageRegistry;
import dev.pushdeploy.request.Preparer;
import dev.pushdeploy.request.SlotParameters;
import dev.pushdeploy.release.TaskDefinitions;
import dev.pushdeploy.rollout.EcsServices;
import java.time.Clock;
import java.time.Instant;

/**
 * Prepare: the execution's input → {@code $.request} (PROCEED, IGNORED or REJECTED). Reads only. The
 * state machine passes the execution's ARN, name and start time; the input itself is read from the
 * execution (DescribeExecution), so it never travels through the states.
 */
public final class PrepareHandler extends StepHandler<Preparer.Execution, DeployRequest> {
    private final Preparer preparer;

    /** Wired from the environment, as Lambda runs it. */
    public PrepareHandler() {
        this(Clock.systemUTC());
    }

    /** Wired from the environment, reading time from {@code clock}. */
    public PrepareHandler(Clock clock) {
        this(Env.require(Env.CONFIG_PARAMETER), Env.require(Env.TABLE_NAME), clock);
    }

    private PrepareHandler(String configParameter, String table, Clock clock) {
        this(new SsmConfigSource(Aws::ssm, configParameter), new SfnExecutions(Aws::sfn), new EcrRegistry(Aws::ecr),
                new SdkEcsServices(Aws::ecs), new EcsTaskDefinitions(Aws.ecs()), new DynamoLedger(Aws.dynamoDb(), table),
                new CloudWatchAlarmStates(Aws::cloudWatch), new SsmSlotParameters(Aws::ssm), clock);
    }

    public PrepareHandler(ConfigSource config, ExecutionIntents intents, ImageRegistry registry, EcsServices services,
            TaskDefinitions taskDefinitions, LedgerReader ledger, AlarmStates alarms, SlotParameters slotParameters, Clock clock) {
        super(Preparer.Execution.class, "Prepare");
        this.preparer = new Preparer(config, intents, registry, services, taskDefinitions, ledger, alarms, slotParameters, clock);
    }

    @Override
    protected Preparer.Execution primingInput(PrimingSample sample) {
        return new Preparer.Execution(PrimingSample.EXECUTION_ARN, PrimingSample.REQUEST_ID,
                Instant.ofEpochMilli(sample.request().startedAt()).toString());
    }

    @Override
    protected DeployRequest handle(Preparer.Execution execution, StepLog log) {
        DeployRequest request = preparer.prepare(execution);
        (request.serviceKey() == null ? log : log.forService(request.serviceKey())).info("prepared", "decision", request.decision(),
                "reason", request.decisionReason(), "image", request.image());
        return request;
    }
}
