package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.SsmConfigSource;
import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.adapter.aws.DynamoLedger;
import dev.pushdeploy.adapter.aws.SdkRolloutObserver;
import dev.pushdeploy.adapter.http.HttpSmokeCheck;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.ledger.Lease;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.RequestScoped;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.rollout.RolloutChecker;
import dev.pushdeploy.rollout.RolloutObserver;
import java.time.Clock;

/**
 * CheckDeployment: the verdict on the deployment we started ({@code $.check}); the same function
 * checks the rollback, called with {@code rollout = $.rollback} ({@code $.rollbackCheck}). Each check
 * renews the lock's lease.
 */
public final class CheckDeploymentHandler extends StepHandler<CheckDeploymentHandler.Input, CheckResult> {
    /** The state document fields this step reads; {@code release} tells a rollback check what ECS would fall back to. */
    public record Input(DeployRequest request, Rollout rollout, Release release) implements RequestScoped {
    }

    private final RolloutChecker checker;

    /** Wired from the environment, as Lambda runs it. */
    public CheckDeploymentHandler() {
        this(Clock.systemUTC());
    }

    /** Wired from the environment, reading time from {@code clock}. */
    public CheckDeploymentHandler(Clock clock) {
        this(Env.require(Env.CONFIG_PARAMETER), clock);
    }

    private CheckDeploymentHandler(String configParameter, Clock clock) {
        this(configParameter, Env.require(Env.TABLE_NAME), clock);
    }

    private CheckDeploymentHandler(String configParameter, String table, Clock clock) {
        this(new SdkRolloutObserver(Aws.ecs(), Aws.elb(), HttpSmokeCheck.withDefaultTimeouts()),
                new SsmConfigSource(Aws.ssm(), configParameter), new Lease(new DynamoLedger(Aws.dynamoDb(), table), clock), clock);
    }

    public CheckDeploymentHandler(RolloutObserver observer, ConfigSource config, RolloutChecker.Progress progress, Clock clock) {
        super(Input.class, "CheckDeployment");
        this.checker = new RolloutChecker(observer, config, progress, clock);
    }

    @Override
    protected CheckResult handle(Input input, StepLog log) {
        return checker.check(input.request(), input.rollout(), input.release(), log);
    }
}
