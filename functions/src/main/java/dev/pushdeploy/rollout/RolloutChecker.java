package dev.pushdeploy.rollout;

import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.Health;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.DeployRequest;
import java.time.Clock;

/**
 * One check of a rollout (or of the rollback): observe the service, judge the snapshot.
 * The smoke URL and expected status come from the target's health configuration.
 */
public final class RolloutChecker {
    private final RolloutObserver observer;
    private final ConfigSource config;
    private final Clock clock;

    public RolloutChecker(RolloutObserver observer, ConfigSource config, Clock clock) {
        this.observer = observer;
        this.config = config;
        this.clock = clock;
    }

    public CheckResult check(DeployRequest request, Rollout rollout, StepLog log) {
        Health health = config.load().forService(request.cluster(), request.service())
                .map(Target::health).orElse(Health.DEFAULT);
        RolloutSnapshot snapshot = observer.observe(request.cluster(), request.service(), health);
        CheckResult result = RolloutVerdict.judge(snapshot, rollout, clock.millis());
        log.info("rollout checked", "taskDefinition", rollout.taskDefinition(), "deploymentId", rollout.deploymentId(),
                "verdict", result.verdict(), "reason", result.reason(), "running", result.running(),
                "desired", result.desired(), "nextPollSeconds", result.nextPollSeconds());
        return result;
    }
}
