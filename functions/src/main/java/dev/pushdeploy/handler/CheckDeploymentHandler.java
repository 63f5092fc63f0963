package dev.pushdeploy.handler;

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
import dev.pushdeploy.error.RunInterruptedException;
import dev.pushdeploy.ledger.Lease;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.RequestScoped;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.rollout.RolloutChecker;
import dev.pushdeploy.rollout.RolloutObserver;
import dev.pushdeploy.rollout.RolloutWatcher;
import dev.pushdeploy.rollout.RolloutWatches;
import dev.pushdeploy.rollout.TaskTokens;
import java.time.Clock;
import java.time.Instant;

/**
 * CheckDeployment: the verdict on the deployment we started ({@code $.check}); the same function
 * checks the rollback, called with {@code rollout = $.rollback} ({@code $.rollbackCheck}). Each check
 * renews the lock's lease. Called with a task token (the workflow's watch task), it registers the
 * token for ECS's events and resumes the workflow itself when the verdict is already final
 * ({@link RolloutWatcher}).
 */
public final class CheckDeploymentHandler extends StepHandler<CheckDeploymentHandler.Input, CheckResult> {
    /**
     * The state document fields this step reads; {@code release} tells a rollback check what ECS would fall back to.
     *
     * @param taskToken the waiting task's token, or null for a plain check
     * @param retries   how many times Step Functions retried the waiting task ({@code $$.State.RetryCount}), null for a plain check
     * @param waitingSince when the workflow entered the waiting task ({@code $$.State.EnteredTime}, ISO-8601), null for a
     *                  plain check (or unknown: taken as now)
     * @param redriveCount how many times the execution was redriven ({@code $$.Execution.RedriveCount}), null when not said:
     *                  a redriven execution's run was accounted for and holds no lock, so its wait must not take the watch
     *                  of the run that does
     */
    public record Input(DeployRequest request, Rollout rollout, Release release, String taskToken, Integer retries,
                        String waitingSince, Integer redriveCount) implements RequestScoped {
        public Input(DeployRequest request, Rollout rollout, Release release, String taskToken, Integer retries, String waitingSince) {
            this(request, rollout, release, taskToken, retries, waitingSince, null);
        }
    }

    private final RolloutChecker checker;
    private final RolloutWatcher watcher;
    private final Clock clock;

    /** Wired from the environment, as Lambda runs it. */
    public CheckDeploymentHandler() {
        this(Clock.systemUTC());
    }

    /** Wired from the environment, reading time from {@code clock}. */
    public CheckDeploymentHandler(Clock clock) {
        this(Env.require(Env.CONFIG_PARAMETER), Env.require(Env.TABLE_NAME), clock);
    }

    private CheckDeploymentHandler(String configParameter, String table, Clock clock) {
        this(new SdkRolloutObserver(Aws::ecs, Aws::elb, HttpSmokeCheck.withDefaultTimeouts(),
                        new CloudWatchAlarmStates(Aws::cloudWatch), new DynamoHookRecords(Aws.dynamoDb(), table)),
                new SsmConfigSource(Aws::ssm, configParameter), new Lease(new DynamoLedger(Aws.dynamoDb(), table), clock),
                new DynamoRolloutWatches(Aws.dynamoDb(), table), new SfnTaskTokens(Aws::sfn), clock);
    }

    public CheckDeploymentHandler(RolloutObserver observer, ConfigSource config, RolloutChecker.Progress progress,
                                  RolloutWatches watches, TaskTokens tokens, Clock clock) {
        super(Input.class, "CheckDeployment");
        this.checker = new RolloutChecker(observer, config, progress, clock);
        this.watcher = new RolloutWatcher(checker, watches, tokens);
        this.clock = clock;
    }

    @Override
    protected Input primingInput(PrimingSample sample) {
        return new Input(sample.request(), sample.rollout(), sample.release(), PrimingSample.TOKEN, 0,
                Instant.ofEpochMilli(sample.rollout().startedAt()).toString());
    }

    @Override
    protected CheckResult handle(Input input, StepLog log) {
        if (input.taskToken() != null && input.redriveCount() != null && input.redriveCount() > 0) {
            throw new RunInterruptedException("the execution was redriven (" + input.redriveCount() + "): its first run was accounted for"
                    + " and the lock is not its own, so it watches nothing (another run's watch of the service stays)");
        }
        return input.taskToken() == null ? checker.check(input.request(), input.rollout(), input.release(), log)
                : watcher.watch(input.taskToken(), input.request(), input.rollout(), input.release(),
                        WaitPayload.retries(input.retries()), WaitPayload.waitedMillis(input.waitingSince(), clock), log);
    }
}
