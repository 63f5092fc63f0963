package dev.pushdeploy.rollout;

import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.Health;
import dev.pushdeploy.config.Strategy;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.error.ConfigurationException;
import dev.pushdeploy.error.TransientException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.HookAnswer;
import dev.pushdeploy.model.HookRequest;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.rollout.HookRecords.HookRecord;
import dev.pushdeploy.rollout.RolloutSnapshot.SmokeResult;
import dev.pushdeploy.rollout.RolloutSnapshot.TargetState;
import dev.pushdeploy.rollout.RolloutSnapshot.TaskState;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The lifecycle hook ECS invokes at the stages of a traffic-shifting deployment: observes the new
 * revision (its tasks and targets, the smoke check through the test listener at the test-traffic
 * stages, the configured alarms), answers with {@link HookVerdict}'s decision and records what it
 * saw ({@link HookRecords}) so that CheckDeployment can report the stage reached, the highest share
 * of production traffic and, after a rollback, the hook's evidence.
 *
 * <p>ECS rolls a deployment back when its hook fails or answers nothing: so a transient AWS error
 * while observing is answered IN_PROGRESS (ECS asks again), and a record that cannot be written
 * does not change the answer; so is a configuration that cannot be read (a document broken by hand:
 * the workflow's own checks read the version their run was prepared with, and its deadline bounds the
 * wait). A service missing from the configuration is answered FAILED: nothing would judge its rollout.
 * The way back that the payload shows ({@link HookVerdict#wayBack}) is answered SUCCEEDED before any AWS call.
 *
 * <p>The configuration is the version the run that started the deployment was prepared with, read from the run's
 * watch ({@link RolloutWatches}) when the watch names this service deployment (or none): a change made while ECS
 * shifts traffic applies from the next run, as for the run's own checks. A deployment no run of ours watches (one
 * started by hand, the moments before the run's first watch) is judged by the current document.
 */
public final class LifecycleHook {
    private final ConfigSource config;
    private final ServiceDeployments deployments;
    private final RolloutObserver observer;
    private final TestListenerProbe probe;
    private final AlarmStates alarms;
    private final HookRecords records;
    private final RolloutWatches watches;
    private final Clock clock;

    public LifecycleHook(ConfigSource config, ServiceDeployments deployments, RolloutObserver observer, TestListenerProbe probe,
                         AlarmStates alarms, HookRecords records, RolloutWatches watches, Clock clock) {
        this.config = config;
        this.deployments = deployments;
        this.observer = observer;
        this.probe = probe;
        this.alarms = alarms;
        this.records = records;
        this.watches = watches;
        this.clock = clock;
    }

    public HookAnswer answer(HookRequest request, StepLog log) {
        if (HookVerdict.wayBack(request.stage(), request.targetRevisionArn(), request.productionWeights())) {
            log.info("lifecycle hook answered", "stage", request.stage(), "serviceDeployment", request.serviceDeploymentArn(),
                    "hookStatus", HookAnswer.SUCCEEDED, "reason", "ECS is rolling back (the payload's production weights: the "
                            + "target revision 0 %, another 100 %): the way back is not held up", "productionPercent", 0.0);
            return new HookAnswer(HookAnswer.SUCCEEDED, null, null);
        }
        String serviceKey = request.serviceKey();
        Target target;
        try {
            target = serviceKey == null ? null : config.load(runVersion(request, log)).targets().stream()
                    .filter(t -> t.serviceKey().equals(serviceKey)).findFirst().orElse(null);
        } catch (ConfigurationException e) {
            HookVerdict.Decision waiting = HookVerdict.unobserved(request.stage(), request.targetProductionWeight(), clock.millis(),
                    Health.MAX_DEADLINE_SECONDS, request.details(), "the configuration cannot be read: " + e.getMessage());
            log.warn("lifecycle hook could not read the configuration", "stage", request.stage(),
                    "serviceDeployment", request.serviceDeploymentArn(), "hookStatus", waiting.status(), "reason", waiting.reason());
            return waiting.answer();
        }
        if (target == null) {
            log.error("lifecycle hook for a service pushdeploy does not manage", "serviceArn", request.serviceArn(),
                    "stage", request.stage());
            return new HookAnswer(HookAnswer.FAILED, null, null);
        }
        HookVerdict.Decision decision;
        ServiceDeploymentState deployment = null;
        try {
            deployment = deployments.describe(request.serviceDeploymentArn()).orElseThrow(() -> new TransientException(
                    "ecs:DescribeServiceDeployments does not show " + request.serviceDeploymentArn() + " yet", null));
            decision = HookVerdict.judge(observe(request, target, deployment));
        } catch (TransientException e) {
            decision = HookVerdict.unobserved(request.stage(), request.targetProductionWeight(), clock.millis(),
                    target.health().deadlineSeconds(), request.details(), "AWS did not answer: " + e.getMessage());
        }
        double percent = productionPercent(request, deployment);
        log.info("lifecycle hook answered", "stage", request.stage(), "serviceDeployment", request.serviceDeploymentArn(),
                "hookStatus", decision.status(), "reason", decision.reason(), "productionPercent", percent);
        if (deployment == null || !deployment.rollingBack()) {
            record(request, serviceKey, decision, percent, log);
        }
        return decision.answer();
    }

    /**
     * The configuration version of the run whose watch names this service deployment, or names none (a move whose
     * service deployment ECS did not report); null (the current document) when no run watches the service, the watch
     * is another deployment's, or it cannot be read.
     */
    private Long runVersion(HookRequest request, StepLog log) {
        String[] key = request.serviceKey().split("/", 2);
        try {
            return watches.find(key[0], key[1])
                    .filter(w -> w.rollout().serviceDeploymentArn() == null
                            || w.rollout().serviceDeploymentArn().equals(request.serviceDeploymentArn()))
                    .map(w -> w.request().configVersion()).orElse(null);
        } catch (TransientException | AwsFailureException e) {
            log.warn("lifecycle hook could not read the run's watch: judged by the current configuration",
                    "serviceDeployment", request.serviceDeploymentArn(), "error", e.getMessage());
            return null;
        }
    }

    private HookVerdict.Observation observe(HookRequest request, Target target, ServiceDeploymentState deployment) {
        Health health = target.health();
        boolean judged = HookVerdict.TEST_STAGES.contains(request.stage()) || HookVerdict.PRODUCTION_STAGES.contains(request.stage());
        if (deployment.rollingBack() || !judged) {
            return observation(request, target, deployment, null, 0, List.of(), List.of());
        }
        Health withoutSmoke = new Health(null, health.expectedStatus(), health.bakeSeconds(), health.deadlineSeconds());
        RolloutSnapshot snapshot = observer.observe(target.cluster(), target.service(), withoutSmoke);
        String revision = deployment.targetTaskDefinition();
        Set<String> ips = snapshot.tasks().stream()
                .filter(t -> t.isRunning() && Revisions.same(t.taskDefinitionArn(), revision))
                .map(TaskState::privateIp).filter(ip -> ip != null).collect(Collectors.toSet());
        List<TargetState> ours = snapshot.targets().stream().filter(t -> ips.contains(t.id())).toList();
        int desired = snapshot.service().deploymentOf(revision).map(Deployment::desiredCount).orElse(ips.size());
        SmokeResult smoked = null;
        Strategy strategy = target.strategy();
        if (HookVerdict.TEST_STAGES.contains(request.stage()) && strategy.testUrl() != null && desired > 0) {
            smoked = probe.probe(strategy.testUrl(), health.expectedStatus(), Map.of(strategy.testHeader(), strategy.testHeaderValue()));
        }
        List<AlarmStates.AlarmState> states = health.alarms().isEmpty() ? List.of() : alarms.describe(health.alarms());
        return observation(request, target, deployment, smoked, desired, ours, states);
    }

    private HookVerdict.Observation observation(HookRequest request, Target target, ServiceDeploymentState deployment,
                                                SmokeResult smoked, int desired, List<TargetState> ours,
                                                List<AlarmStates.AlarmState> states) {
        return new HookVerdict.Observation(request.stage(), request.targetProductionWeight(), deployment.rollingBack(),
                deployment.startedAt(), clock.millis(), target.health().deadlineSeconds(), smoked, desired, ours, states, productionPercent(request, deployment),
                request.details());
    }

    /**
     * The new revision's production share: its weight in the payload; 100 after the production
     * shift; else what ECS's service deployment says.
     */
    static double productionPercent(HookRequest request, ServiceDeploymentState deployment) {
        Double weight = request.targetProductionWeight();
        if (weight != null) {
            return weight;
        }
        if ("POST_PRODUCTION_TRAFFIC_SHIFT".equals(request.stage())) {
            return 100;
        }
        return deployment == null || deployment.productionPercent() == null ? 0 : deployment.productionPercent();
    }

    private void record(HookRequest request, String serviceKey, HookVerdict.Decision decision, double percent, StepLog log) {
        try {
            records.record(new HookRecord(request.serviceDeploymentArn(), serviceKey, request.stage(), percent, decision.status(),
                    HookAnswer.FAILED.equals(decision.status()) ? decision.reason() : null, clock.millis()));
        } catch (RuntimeException e) {
            log.warn("could not record the hook's answer", "serviceDeployment", request.serviceDeploymentArn(),
                    "error", e.getMessage());
        }
    }
}
