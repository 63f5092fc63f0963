package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.SsmConfigSource;
import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.RequestScoped;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.adapter.http.HttpSmokeCheck;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.rollout.RolloutChecker;
import dev.pushdeploy.rollout.RolloutObserver;
import dev.pushdeploy.adapter.aws.SdkRolloutObserver;
import java.time.Clock;

/**
 * CheckDeployment: the verdict on the deployment we started ({@code $.check}); the same function
 * checks the rollback, called with {@code rollout = $.rollback} ({@code $.rollbackCheck}).
 */
public final class CheckDeploymentHandler extends StepHandler<CheckDeploymentHandler.Input, CheckResult> {
    /** The state document fields this step reads. */
    public record Input(DeployRequest request, Rollout rollout) implements RequestScoped {
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
        this(new SdkRolloutObserver(Aws.ecs(), Aws.elb(), HttpSmokeCheck.withDefaultTimeouts()),
                new SsmConfigSource(Aws.ssm(), configParameter), clock);
    }

    public CheckDeploymentHandler(RolloutObserver observer, ConfigSource config, Clock clock) {
        super(Input.class, "CheckDeployment");
        this.checker = new RolloutChecker(observer, config, clock);
    }

    @Override
    protected CheckResult handle(Input input, StepLog log) {
        return checker.check(input.request(), input.rollout(), log);
    }
}
