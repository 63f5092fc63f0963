package dev.pushdeploy.rollout;

import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.Health;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.DeployRequest;
import java.time.Clock;

/**
 * One check of a rollout (or of the rollback): observe the service, judge the snapshot.
 * The smoke URL, expected status and alarms come from the target's health configuration. The way
 * back is judged without the alarms: they describe the revision that failed, and CloudWatch takes
 * minutes to clear them.
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
        if (Revisions.same(rollout.taskDefinition(), request.previousTaskDefinition())) {
            health = new Health(health.smokeUrl(), health.expectedStatus(), health.bakeSeconds(), health.deadlineSeconds());
        }
        RolloutSnapshot snapshot = observer.observe(request.cluster(), request.service(), health, rollout);
        CheckResult result = RolloutVerdict.judge(snapshot, rollout, clock.millis());
        log.info("rollout checked", "taskDefinition", rollout.taskDefinition(), "deploymentId", rollout.deploymentId(),
                "verdict", result.verdict(), "reason", result.reason(), "running", result.running(),
                "desired", result.desired(), "nextPollSeconds", result.nextPollSeconds(), "strategy", result.strategy(),
                "stage", result.stage(), "productionPercent", result.productionPercent());
        return result;
    }
}
