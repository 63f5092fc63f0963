package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.EcsTaskDefinitions;
import dev.pushdeploy.adapter.aws.SdkEcsServices;
import dev.pushdeploy.adapter.aws.SsmConfigSource;
import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.adapter.aws.DynamoLedger;
import dev.pushdeploy.adapter.aws.EventBridgeOutcomeSink;
import dev.pushdeploy.model.FinalizeResult;
import dev.pushdeploy.ledger.Finalizer;
import dev.pushdeploy.ledger.LedgerTable;
import dev.pushdeploy.ledger.OutcomeSink;
import dev.pushdeploy.ledger.ReleaseParameters;
import dev.pushdeploy.adapter.aws.SnsOutcomeSink;
import dev.pushdeploy.adapter.aws.SsmReleaseParameters;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.release.TaskDefinitions;
import dev.pushdeploy.rollout.EcsServices;
import java.time.Clock;
import java.util.List;

/** Finalize: history, lock release, old revisions, release parameters, outcome notification → {@code $.final}. */
public final class FinalizeHandler extends StepHandler<Finalizer.Input, FinalizeResult> {
    private final Finalizer finalizer;

    /** Wired from the environment, as Lambda runs it. */
    public FinalizeHandler() {
        this(Clock.systemUTC());
    }

    /** Wired from the environment, reading time from {@code clock}. */
    public FinalizeHandler(Clock clock) {
        this(Env.require(Env.CONFIG_PARAMETER), Env.require(Env.TABLE_NAME), Env.require(Env.TOPIC_ARN),
                Env.require(Env.EVENT_BUS_NAME), Env.require(Env.RELEASE_PARAMETER_PREFIX), clock);
    }

    private FinalizeHandler(String configParameter, String table, String topicArn, String busName, String parameterPrefix,
                            Clock clock) {
        this(new SsmConfigSource(Aws.ssm(), configParameter), new DynamoLedger(Aws.dynamoDb(), table), new SdkEcsServices(Aws.ecs()),
                new EcsTaskDefinitions(Aws.ecs()), new SsmReleaseParameters(Aws.ssm()), parameterPrefix,
                List.of(new SnsOutcomeSink(Aws.sns(), topicArn), new EventBridgeOutcomeSink(Aws.eventBridge(), busName)),
                clock);
    }

    public FinalizeHandler(ConfigSource config, LedgerTable table, EcsServices services, TaskDefinitions taskDefinitions,
            ReleaseParameters parameters, String parameterPrefix, List<OutcomeSink> sinks, Clock clock) {
        super(Finalizer.Input.class, "Finalize");
        this.finalizer = new Finalizer(config, table, services, taskDefinitions, parameters, parameterPrefix, sinks, clock);
    }

    @Override
    protected FinalizeResult handle(Finalizer.Input input, StepLog log) {
        return finalizer.finish(input, log);
    }
}
