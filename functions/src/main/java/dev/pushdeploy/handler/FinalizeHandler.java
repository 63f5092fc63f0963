package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.EcsTaskDefinitions;
import dev.pushdeploy.adapter.aws.SdkEcsServices;
import dev.pushdeploy.adapter.aws.SsmConfigSource;
import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.adapter.aws.DynamoLedger;
import dev.pushdeploy.adapter.aws.EcrKeptImages;
import dev.pushdeploy.adapter.aws.EventBridgeOutcomeSink;
import dev.pushdeploy.adapter.aws.SnsOutcomeSink;
import dev.pushdeploy.adapter.aws.SsmReleaseParameters;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.ledger.Finalizer;
import dev.pushdeploy.ledger.KeptImages;
import dev.pushdeploy.ledger.LedgerTable;
import dev.pushdeploy.ledger.OutcomeSink;
import dev.pushdeploy.ledger.ReleaseParameters;
import dev.pushdeploy.ledger.RunCloser;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.FinalizeResult;
import dev.pushdeploy.model.Outcome;
import dev.pushdeploy.model.Result;
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
        this(Closers.fromEnvironment(clock));
    }

    public FinalizeHandler(ConfigSource config, LedgerTable table, EcsServices services, TaskDefinitions taskDefinitions,
            ReleaseParameters parameters, KeptImages images, List<OutcomeSink> sinks, Clock clock) {
        this(new RunCloser(config, table, services, taskDefinitions, parameters, images, sinks, clock));
    }

    private FinalizeHandler(RunCloser closer) {
        super(Finalizer.Input.class, "Finalize");
        this.finalizer = new Finalizer(closer, PrimingSample.orWhilePriming(closer::holdsUntakenOver));
    }

    @Override
    protected Finalizer.Input primingInput(PrimingSample sample) {
        return new Finalizer.Input(sample.request(), new Result(Outcome.SUCCEEDED, "SnapStart priming"), sample.release(),
                sample.rollout(), null, null, null, null, null, sample.secrets(), null, null);
    }

    @Override
    protected FinalizeResult handle(Finalizer.Input input, StepLog log) {
        return finalizer.finish(input, log);
    }

    /** The closer Finalize and the reconciler build from the same environment. */
    static final class Closers {
        private Closers() {
        }

        static RunCloser fromEnvironment(Clock clock) {
            String configParameter = Env.require(Env.CONFIG_PARAMETER);
            String table = Env.require(Env.TABLE_NAME);
            String topicArn = Env.require(Env.TOPIC_ARN);
            String busName = Env.require(Env.EVENT_BUS_NAME);
            return new RunCloser(new SsmConfigSource(Aws::ssm, configParameter), new DynamoLedger(Aws.dynamoDb(), table),
                    new SdkEcsServices(Aws::ecs), new EcsTaskDefinitions(Aws.ecs()), new SsmReleaseParameters(Aws.ssm()), new EcrKeptImages(Aws::ecr),
                    List.of(new SnsOutcomeSink(Aws.sns(), topicArn), new EventBridgeOutcomeSink(Aws.eventBridge(), busName)),
                    clock);
        }
    }
}
