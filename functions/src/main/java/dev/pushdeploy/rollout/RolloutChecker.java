package dev.pushdeploy.rollout;

import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.Health;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.error.RunInterruptedException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.Rollout;
import java.time.Clock;

/**
 * One check of a rollout (or of the rollback): observe the service, judge the snapshot, and report the
 * holder's progress (its lock's lease follows it). The smoke URL, expected status and alarms come from the
 * target's health configuration. The way back is judged without the alarms: they describe the revision
 * that failed, and CloudWatch takes minutes to clear them; a way back to no tasks (a first release undone) is
 * judged without the smoke check too, nothing serving. The revision ECS would fall back to is the one
 * live before the request for the rollout, and the request's own release for the rollback. A service that no longer
 * exists is judged INTERRUPTED ({@link ServiceReader#require}).
 */
public final class RolloutChecker {
    /** Told after every check how long until the next one: the request is alive and working. */
    @FunctionalInterface
    public interface Progress {
        void checked(DeployRequest request, int nextCheckSeconds);
    }

    private final RolloutObserver observer;
    private final ConfigSource config;
    private final Progress progress;
    private final Clock clock;

    public RolloutChecker(RolloutObserver observer, ConfigSource config, Progress progress, Clock clock) {
        this.observer = observer;
        this.config = config;
        this.progress = progress;
        this.clock = clock;
    }

    public CheckResult check(DeployRequest request, Rollout rollout, Release release, StepLog log) {
        return check(request, rollout, release, 0, log);
    }

    /**
     * A check after which the workflow waits for ECS's events up to {@code watchSeconds} before it
     * checks again (0: it polls after {@link CheckResult#nextPollSeconds()}); the lease covers the wait.
     */
    public CheckResult check(DeployRequest request, Rollout rollout, Release release, int watchSeconds, StepLog log) {
        Health health = config.load(request.configVersion()).forService(request.cluster(), request.service())
                .map(Target::health).orElse(Health.DEFAULT);
        boolean rollback = rollout.movesTo(request.previousTaskDefinition());
        if (rollback) {
            health = new Health(rollout.toZero() ? null : health.smokeUrl(), health.expectedStatus(), health.bakeSeconds(),
                    health.deadlineSeconds());
        }
        String fallback = rollback ? (release == null ? null : release.taskDefinition()) : request.previousTaskDefinition();
        CheckResult result;
        try {
            result = RolloutVerdict.judge(observer.observe(request.cluster(), request.service(), health, rollout), rollout, fallback,
                    clock.millis());
        } catch (RunInterruptedException gone) {
            result = RolloutVerdict.gone(gone.getMessage());
        }
        log.info("rollout checked", "taskDefinition", rollout.taskDefinition(), "deploymentId", rollout.deploymentId(),
                "verdict", result.verdict(), "reason", result.reason(), "running", result.running(),
                "desired", result.desired(), "nextPollSeconds", result.nextPollSeconds(), "strategy", result.strategy(),
                "stage", result.stage(), "productionPercent", result.productionPercent());
        progress.checked(request, next(request, result, watchSeconds));
        return result;
    }

    /**
     * A check that could not observe the service ({@code error} outlived the SDK's retries): IN_PROGRESS
     * before the deadline, the holder still alive for {@code watchSeconds} more; TIMED_OUT past it.
     */
    public CheckResult unobserved(DeployRequest request, Rollout rollout, int watchSeconds, RuntimeException error, StepLog log) {
        CheckResult result = RolloutVerdict.unobserved(rollout, error.getMessage(), clock.millis());
        log.warn("rollout not observed", "taskDefinition", rollout.taskDefinition(), "verdict", result.verdict(),
                "reason", result.reason());
        progress.checked(request, next(request, result, watchSeconds));
        return result;
    }

    private static int next(DeployRequest request, CheckResult result, int watchSeconds) {
        return result.verdict().isFinal() ? Math.max(request.bakeSeconds(), 0) : Math.max(result.nextPollSeconds(), watchSeconds);
    }
}
