package dev.pushdeploy.rollout;

import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.model.Verdict;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.Text;
import dev.pushdeploy.rollout.RolloutSnapshot.ContainerState;
import dev.pushdeploy.rollout.RolloutSnapshot.TargetState;
import dev.pushdeploy.rollout.RolloutSnapshot.TaskState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The verdict on one rollout, as pure code over a {@link RolloutSnapshot}: the deployment we
 * started, not "the service is stable".
 *
 * <p>Written like an SDK waiter: an ordered list of {@link Acceptor}s, each a matcher that
 * answers a reason (or null) and the verdict it leads to: what ECS decided and deterministic
 * evidence first, then success, then evidence by repetition, then the retry acceptor, which
 * always matches and says what is still awaited. A deadline in the past turns that retry into
 * TIMED_OUT.
 *
 * <p>Stopped tasks of ours are evidence, judged like ECS's own retries would be (stopped tasks
 * stay listed for about an hour, so an early failure sits beside a later healthy rollout). A
 * deterministic stop ({@link #DETERMINISTIC_RULES}: image or manifest not found, access denied
 * to the image or the secrets, a secret that does not exist, Fargate's "unable to retrieve
 * secret from asm/ssm" after its own retries, an image for another platform, a command that
 * cannot start, an invalid log configuration) fails the rollout at once. Anything else counts
 * only by repetition, and only while the rollout is not healthy: {@value #REPEATED_EXITS}
 * tasks whose essential container exited, or {@value #REPEATED_START_FAILURES} tasks that
 * failed to start for a transient-looking cause (a registry 5xx, an i/o timeout, a throttled
 * pull). CannotCreateVolumeError is left to the circuit breaker. Stops in order (the scheduler
 * replacing a task that failed its health checks, a user's stop) are not evidence. Every failure
 * reason names its rule and the tasks.
 *
 * <p>ECS's service deployment, when the snapshot has one, is ECS's word on the rollout, whatever the
 * strategy: ROLLBACK_* (the circuit breaker, an alarm, a hook, a stop request) is ROLLED_BACK_BY_ECS with
 * its rollback reason, the revision it returns to, the circuit breaker's count and the alarms in ALARM;
 * STOPPED (failed without the rollback option, or stopped) is FAILED; anything but SUCCESSFUL is still
 * under way; DescribeServices' rolloutState is then not read. On the way back (the rollout is the revision
 * a service deployment's rollback returns to) ROLLBACK_SUCCESSFUL is ECS's success, ROLLBACK_FAILED a
 * failure. DescribeServices and the tasks still say which tasks are ours, what stopped them, and whether
 * their targets are healthy; without a service deployment (an emulator without them) DescribeServices'
 * deployments decide as below.
 *
 * <p>ROLLED_BACK_BY_ECS: our deployment is no longer PRIMARY and the PRIMARY runs the revision ECS
 * falls back to (the one live before the rollout), or no deployment of ours remains and the service
 * is set to that revision. That is what ECS's circuit breaker leaves behind (but a rollback ECS was
 * asked for and has not begun, its stopped deployment still PRIMARY, is waited for). INTERRUPTED: the same,
 * but with a third revision: someone else (console, CLI, another tool) deployed, and the run must
 * leave the service alone.
 *
 * <p>"Our deployment" is the one with the rollout's deployment id; without an id (an emulator
 * that creates no deployments) or when it is gone, the deployment running the rollout's
 * revision. "Our tasks" are those it started ({@code startedBy}), or, without a deployment,
 * those of the revision. HEALTHY needs all of: our deployment is PRIMARY, rolloutState
 * COMPLETED, running == desired > 0, in every target group of the service at least
 * {@code desired} of our tasks' IPs healthy and none of them in another state, and the smoke
 * check (when configured) answering the expected status. A move to 0 tasks (the way back from a first release
 * to the stack's bootstrap revision) is HEALTHY instead once the service runs nothing: our deployment PRIMARY
 * with 0 desired, no task running or pending, whatever ECS says of the rollout. A failing smoke check keeps the
 * rollout IN_PROGRESS until the deadline: a check carries no history, and the deadline bounds
 * the wait (the reason then says the smoke check failed).
 */
public final class RolloutVerdict {
    static final Set<String> ORDERLY_STOPS = Set.of(
            "ServiceSchedulerInitiated", "UserInitiated", "SpotInterruption", "TerminationNotice");
    static final String ESSENTIAL_CONTAINER_EXITED = "EssentialContainerExited";
    /** Distinct tasks of ours whose essential container exited before that alone fails the rollout. */
    static final int REPEATED_EXITS = 2;
    /** Distinct tasks of ours that failed to start (transient-looking causes) before that alone fails it. */
    static final int REPEATED_START_FAILURES = 3;
    static final int MAX_REASON = 1000;
    static final int MAX_PART = 500;

    /** One acceptor: when {@code matcher} answers a reason, the check ends in {@code verdict}. */
    record Acceptor(String name, Verdict verdict, Function<Observation, String> matcher) {
    }

    /**
     * Waiter-style acceptors, in order: someone else's move, a way back to no task done, what ECS decided, a service
     * scaled to zero, deterministic evidence, success, evidence
     * by repetition (a rollout that turned healthy despite earlier retried failures is healthy),
     * retry.
     */
    static final List<Acceptor> ACCEPTORS = List.of(
            new Acceptor("movedBySomeoneElse", Verdict.INTERRUPTED, RolloutVerdict::movedBySomeoneElse),
            new Acceptor("stoppedAtZero", Verdict.HEALTHY, RolloutVerdict::stoppedAtZero),
            new Acceptor("serviceDeploymentRolledBack", Verdict.ROLLED_BACK_BY_ECS, RolloutVerdict::serviceDeploymentRolledBack),
            new Acceptor("rolledBackByEcs", Verdict.ROLLED_BACK_BY_ECS, RolloutVerdict::rolledBackByEcs),
            new Acceptor("serviceDeploymentFailed", Verdict.FAILED, RolloutVerdict::serviceDeploymentFailed),
            new Acceptor("rolloutFailed", Verdict.FAILED, RolloutVerdict::rolloutFailed),
            new Acceptor("scaledToZero", Verdict.FAILED, RolloutVerdict::scaledToZero),
            new Acceptor("alarm", Verdict.FAILED, RolloutVerdict::alarm),
            new Acceptor("deterministicStop", Verdict.FAILED, RolloutVerdict::deterministicStop),
            new Acceptor("healthy", Verdict.HEALTHY, o -> o.outstanding() == null ? healthySummary(o) : null),
            new Acceptor("repeatedStops", Verdict.FAILED, RolloutVerdict::repeatedStops),
            new Acceptor("waiting", Verdict.IN_PROGRESS, RolloutVerdict::waiting));

    /**
     * The acceptors that judge a way back to no task: nothing of ECS's rollout or of the tasks' stops can fail it (the
     * bootstrap revision's image was never pushed, its tasks cannot start), only the service running nothing ends it.
     */
    static final Set<String> TO_ZERO = Set.of("movedBySomeoneElse", "stoppedAtZero", "waiting");

    private RolloutVerdict() {
    }

    /** Without a known fallback: any other revision the service moved to counts as a rollback by ECS. */
    public static CheckResult judge(RolloutSnapshot snapshot, Rollout rollout, long nowMillis) {
        return judge(snapshot, rollout, null, nowMillis);
    }

    /**
     * @param fallback the revision ECS's circuit breaker would return to (null: any other revision counts
     *                 as a rollback by ECS)
     */
    public static CheckResult judge(RolloutSnapshot snapshot, Rollout rollout, String fallback, long nowMillis) {
        Observation o = Observation.of(snapshot, rollout, fallback);
        for (Acceptor acceptor : ACCEPTORS) {
            if (o.toZero() && !TO_ZERO.contains(acceptor.name())) {
                continue;
            }
            String reason = acceptor.matcher().apply(o);
            if (reason == null) {
                continue;
            }
            if (acceptor.verdict() != Verdict.IN_PROGRESS) {
                return o.result(acceptor.verdict(), cap(reason), 0);
            }
            if (nowMillis >= rollout.deadlineAt()) {
                long seconds = (rollout.deadlineAt() - rollout.startedAt()) / 1000;
                return o.result(Verdict.TIMED_OUT, cap("not healthy " + seconds + " s after the start (deadline passed): " + reason), 0);
            }
            int next = PollInterval.nextPollSeconds(Duration.ofMillis(nowMillis - rollout.startedAt()),
                    Duration.ofMillis(rollout.deadlineAt() - nowMillis), o.settling());
            return o.result(Verdict.IN_PROGRESS, cap(reason), next);
        }
        throw new IllegalStateException("the waiting acceptor matches every observation");
    }

    /** The verdict when the service is gone ({@code reason}: deleted by someone else during the run): nothing is left to judge. */
    public static CheckResult gone(String reason) {
        return new CheckResult(Verdict.INTERRUPTED, cap(reason), 0, 0, 0, 0);
    }

    /**
     * The verdict when the service could not be observed ({@code error}: a transient failure that outlived
     * the retries): before the deadline nothing is known and the rollout is still IN_PROGRESS; past it, it
     * is TIMED_OUT like any rollout not seen healthy by then.
     */
    public static CheckResult unobserved(Rollout rollout, String error, long nowMillis) {
        String reason = cap("the service could not be observed: " + error);
        if (nowMillis >= rollout.deadlineAt()) {
            long seconds = (rollout.deadlineAt() - rollout.startedAt()) / 1000;
            return new CheckResult(Verdict.TIMED_OUT, cap("not healthy " + seconds + " s after the start (deadline passed): "
                    + reason), 0, 0, 0, 0);
        }
        int next = PollInterval.nextPollSeconds(Duration.ofMillis(nowMillis - rollout.startedAt()),
                Duration.ofMillis(rollout.deadlineAt() - nowMillis), false);
        return new CheckResult(Verdict.IN_PROGRESS, reason, next, 0, 0, 0);
    }

    /**
     * ECS rolls the service deployment of our revision back (the circuit breaker, an alarm, a failed hook, a
     * stop request), whatever the strategy.
     */
    private static String serviceDeploymentRolledBack(Observation o) {
        ServiceDeploymentState d = o.forward();
        if (d == null || !d.rollingBack()) {
            return null;
        }
        HookRecords.HookRecord hook = o.snapshot().hook();
        return "ECS rolled the " + strategyName(o) + " deployment of " + Revisions.shortName(o.revision()) + " back ("
                + d.status() + ")" + (d.rollbackReason() == null ? "" : ": " + d.rollbackReason())
                + (d.rollbackTaskDefinition() == null ? "" : "; back to " + Revisions.shortName(d.rollbackTaskDefinition()))
                + (hook == null || hook.failure() == null ? "" : "; lifecycle hook at " + hook.stage() + ": " + hook.failure())
                + detection(d)
                + (hook == null ? "" : "; production traffic reached " + percent(hook.productionPercent()))
                + (o.shiftsTraffic() ? "" : o.lastEvent());
    }

    /**
     * ECS ended the service deployment without success and without a rollback: stopped (the circuit breaker or
     * an alarm without the rollback option, or a stop), or, on the way back, its rollback failed.
     */
    private static String serviceDeploymentFailed(Observation o) {
        ServiceDeploymentState d = o.forward();
        if (d != null && d.stopped()) {
            return "ECS stopped the " + strategyName(o) + " deployment of " + Revisions.shortName(o.revision()) + " ("
                    + d.status() + ")" + (d.statusReason() == null ? "" : ": " + clip(d.statusReason())) + detection(d)
                    + o.lastEvent();
        }
        ServiceDeploymentState back = o.back();
        if (back != null && "ROLLBACK_FAILED".equals(back.status())) {
            return "ECS's rollback to " + Revisions.shortName(o.revision()) + " failed (ROLLBACK_FAILED)"
                    + (back.statusReason() == null ? "" : ": " + clip(back.statusReason())) + detection(back);
        }
        return null;
    }

    /** What ECS's failure detection saw on a service deployment, as a suffix: the circuit breaker's count, alarms in ALARM. */
    private static String detection(ServiceDeploymentState d) {
        ServiceDeploymentState.CircuitBreaker breaker = d.circuitBreaker();
        return (breaker == null || !breaker.triggered() ? "" : "; circuit breaker TRIGGERED: " + breaker.failureCount()
                + " failed task(s), threshold " + breaker.threshold())
                + (d.triggeredAlarms().isEmpty() ? "" : "; alarms in ALARM: " + String.join(", ", d.triggeredAlarms()));
    }

    /** A configured alarm that went into ALARM after the rollout started (one that was in ALARM before proves nothing about it). */
    private static String alarm(Observation o) {
        return o.snapshot().alarms().stream()
                .filter(a -> a.inAlarm() && a.since() >= o.startedAt())
                .findFirst()
                .map(a -> "alarm " + a.name() + " is in ALARM" + (a.reason() == null ? "" : ": " + clip(a.reason())))
                .orElse(null);
    }

    /**
     * The revision the service moved to instead of ours, when it is not ours; else null. Not while
     * the way back that ECS was asked for has not begun: ECS takes StopServiceDeployment
     * asynchronously (ROLLBACK_REQUESTED), and until then the stopped deployment stays PRIMARY.
     */
    private static String elsewhere(Observation o) {
        if (o.rollbackNotBegun().isPresent() || o.back() != null && !o.back().rolledBack()) {
            return null;
        }
        Optional<Deployment> primary = o.snapshot().service().primary();
        if (o.ours().isPresent()) {
            Deployment ours = o.ours().get();
            if (ours.isPrimary() || primary.isEmpty() || Revisions.same(primary.get().taskDefinition(), o.revision())) {
                return null;
            }
            return primary.get().taskDefinition();
        }
        return o.snapshot().service().isOn(o.revision()) ? null : o.snapshot().service().taskDefinition();
    }

    /**
     * The way back to no task (a first release undone) is done when the service runs nothing: our revision's deployment
     * PRIMARY and wanting 0 tasks, no deployment with a task running or pending, no task running. ECS's word on its
     * rollout does not matter then (a rollback it began to the bootstrap revision, whose image nobody pushed, may
     * end FAILED): nothing half-deployed is left.
     */
    private static String stoppedAtZero(Observation o) {
        if (!o.toZero()) {
            return null;
        }
        boolean idle = o.snapshot().service().deployments().stream().allMatch(d -> d.runningCount() == 0 && d.pendingCount() == 0)
                && o.snapshot().tasks().stream().noneMatch(TaskState::isRunning);
        return o.ours().filter(d -> d.isPrimary() && d.desiredCount() == 0 && idle)
                .map(d -> "deployment " + d.id() + " (" + Revisions.shortName(o.revision()) + ") is PRIMARY with 0/0 tasks ("
                        + d.rolloutState() + "): the service runs nothing")
                .orElse(null);
    }

    /**
     * A move that kept the service's count, while its deployment now wants 0 tasks: someone scaled the service to zero
     * during the rollout (Application Auto Scaling does not scale in while ECS deploys), as one stops a bad release at
     * once. Nothing runs the revision, so it cannot be proven healthy: it fails, and the way back keeps the count.
     */
    private static String scaledToZero(Observation o) {
        Integer service = o.snapshot().service().desiredCount();
        if (o.toZero() || service != null && service != 0) {
            return null;
        }
        return o.ours().filter(d -> d.isPrimary() && d.desiredCount() == 0)
                .map(d -> "the service was scaled to 0 tasks during the rollout: deployment " + d.id() + " ("
                        + Revisions.shortName(o.revision()) + ") wants 0, so nothing runs the revision to prove it healthy")
                .orElse(null);
    }

    private static String movedBySomeoneElse(Observation o) {
        String other = elsewhere(o);
        if (other == null || o.fallback() == null || Revisions.same(other, o.fallback())) {
            return null;
        }
        String by = o.snapshot().service().primary().filter(d -> Revisions.same(d.taskDefinition(), other))
                .map(d -> " by deployment " + d.id()).orElse("");
        return "the service was moved to " + Revisions.shortName(other) + by + ", which is neither "
                + Revisions.shortName(o.revision()) + " nor " + Revisions.shortName(o.fallback())
                + ": someone else deployed; the service is left as it is";
    }

    private static String rolledBackByEcs(Observation o) {
        if (elsewhere(o) == null) {
            return null;
        }
        if (o.ours().isPresent()) {
            Deployment ours = o.ours().get();
            Deployment primary = o.snapshot().service().primary().orElseThrow();
            ServiceDeploymentState d = o.forward();
            if (d != null && d.stopped()) {
                return "the service was moved back to " + Revisions.shortName(primary.taskDefinition()) + " by deployment "
                        + primary.id() + ", not by ECS's rollback: ECS stopped the " + strategyName(o) + " deployment of "
                        + Revisions.shortName(o.revision()) + " (" + d.status() + ")"
                        + (d.statusReason() == null ? "" : ": " + clip(d.statusReason())) + o.lastEvent();
            }
            return "ECS rolled deployment " + ours.id() + " (" + Revisions.shortName(o.revision()) + ") back to "
                    + primary.id() + " (" + Revisions.shortName(primary.taskDefinition()) + "): "
                    + ours.status() + ", rollout " + ours.rolloutState()
                    + (ours.rolloutStateReason() == null ? "" : " — " + ours.rolloutStateReason()) + o.lastEvent();
        }
        return "the service is back on " + Revisions.shortName(o.snapshot().service().taskDefinition())
                + " and no deployment of " + Revisions.shortName(o.revision()) + " remains" + o.lastEvent();
    }

    /** DescribeServices' word on our deployment, when ECS's service deployment of it is not known. */
    private static String rolloutFailed(Observation o) {
        if (o.forward() != null) {
            return null;
        }
        return o.ours().filter(d -> Deployment.FAILED.equals(d.rolloutState()))
                .map(d -> "deployment " + d.id() + " (" + Revisions.shortName(o.revision()) + ") failed"
                        + (d.rolloutStateReason() == null ? "" : ": " + d.rolloutStateReason())
                        + (d.failedTasks() > 0 ? " (" + d.failedTasks() + " failed tasks)" : "") + o.lastEvent())
                .orElse(null);
    }

    private static String deterministicStop(Observation o) {
        return o.stops().stream().filter(s -> s.kind() == StopKind.DETERMINISTIC).findFirst()
                .map(s -> s.rule() + ": " + describe(s.task())).orElse(null);
    }

    private static String repeatedStops(Observation o) {
        for (StopKind kind : List.of(StopKind.EXIT, StopKind.START_FAILURE)) {
            List<Stop> stops = o.stops().stream().filter(s -> s.kind() == kind).toList();
            if (stops.size() >= kind.repeated) {
                return stops.size() + " tasks of " + Revisions.shortName(o.revision()) + " " + kind.description
                        + " (repeated: " + kind.repeated + " or more fail the rollout): "
                        + stops.stream().map(s -> describe(s.task())).collect(Collectors.joining(" | "));
            }
        }
        return null;
    }

    private static String waiting(Observation o) {
        String outstanding = o.outstanding();
        List<Stop> seen = o.stops().stream().filter(s -> s.kind() != StopKind.NONE).toList();
        if (seen.isEmpty()) {
            return outstanding;
        }
        Stop last = seen.get(seen.size() - 1);
        return outstanding + "; " + seen.size() + " task(s) of ours stopped, not yet conclusive ("
                + (last.kind() == StopKind.VOLUME ? "the circuit breaker decides" : last.kind().description) + "): "
                + describe(last.task());
    }

    /** What a stopped task of ours says about the revision. */
    enum StopKind {
        NONE(Integer.MAX_VALUE, "stopped in order"),
        DETERMINISTIC(1, "cannot run"),
        EXIT(REPEATED_EXITS, "exited"),
        START_FAILURE(REPEATED_START_FAILURES, "failed to start"),
        VOLUME(Integer.MAX_VALUE, "could not create a volume");

        final int repeated;
        final String description;

        StopKind(int repeated, String description) {
            this.repeated = repeated;
            this.description = description;
        }
    }

    /** A stopped task of ours, what kind of evidence it is and, when deterministic, the rule that says so. */
    record Stop(TaskState task, StopKind kind, String rule) {
    }

    /**
     * A deterministic stop: the same revision fails the same way on every try, so one task is
     * proof. The rule's name goes first in the reason. Matched on the stopped reason and the
     * containers' reasons, case-insensitively.
     */
    record Rule(String name, String prefix, List<String> anyOf) {
        /** The text that proves the rule ("CannotPullContainerError … not found"), or null. */
        String evidence(String text) {
            if (prefix != null && !text.contains(prefix.toLowerCase(Locale.ROOT))) {
                return null;
            }
            for (String pattern : anyOf) {
                Matcher m = Pattern.compile(pattern).matcher(text);
                if (m.find()) {
                    return (prefix == null ? "" : prefix + " … ") + m.group();
                }
            }
            return null;
        }
    }

    static final List<Rule> DETERMINISTIC_RULES = List.of(
            new Rule("image not found", "CannotPullContainerError", List.of(
                    "not found", "manifest unknown", "name unknown", "does not exist")),
            new Rule("image pull access denied", "CannotPullContainerError", List.of(
                    "access ?denied", "403 forbidden", "unauthorized", "no basic auth credentials", "not authorized")),
            new Rule("image built for another platform", null, List.of(
                    "no matching manifest for", "does not contain descriptor matching platform", "exec format error")),
            new Rule("secrets or registry auth denied", "ResourceInitializationError", List.of(
                    "access ?denied", "not authorized to perform", "kms.*disabled")),
            new Rule("secret or parameter not found", "ResourceInitializationError", List.of(
                    "parameternotfound", "resourcenotfoundexception", "invalid ssm parameters?", "can't find the specified secret")),
            new Rule("secrets could not be retrieved (ECS already retried)", "ResourceInitializationError", List.of(
                    "unable to retrieve secrets? from (asm|ssm)")),
            new Rule("log configuration invalid", "ResourceInitializationError", List.of(
                    "failed to validate logger args", "log group does not exist")),
            new Rule("container command cannot start", "CannotStartContainerError", List.of(
                    "executable file not found", "no such file or directory", "permission denied")));

    static final List<String> START_FAILURES = List.of(
            "CannotPullContainerError", "ResourceInitializationError", "CannotStartContainerError",
            "CannotCreateContainerError", "CannotInspectContainerError", "ContainerRuntimeTimeoutError", "DockerTimeoutError");
    static final String VOLUME_FAILURE = "CannotCreateVolumeError";

    /** The evidence one task of ours gives; NONE for tasks that are not stopped or stopped in order. */
    static Stop classify(TaskState task) {
        if (!task.isStopped() && !"STOPPED".equals(task.desiredStatus())) {
            return new Stop(task, StopKind.NONE, null);
        }
        String text = (String.valueOf(task.stoppedReason()) + " " + task.containers().stream()
                .map(c -> String.valueOf(c.reason())).collect(Collectors.joining(" "))).toLowerCase(Locale.ROOT);
        if (text.contains(VOLUME_FAILURE.toLowerCase(Locale.ROOT))) {
            return new Stop(task, StopKind.VOLUME, null);
        }
        for (Rule rule : DETERMINISTIC_RULES) {
            String evidence = rule.evidence(text);
            if (evidence != null) {
                return new Stop(task, StopKind.DETERMINISTIC, rule.name() + " (\"" + evidence + "\")");
            }
        }
        boolean startFailure = "TaskFailedToStart".equals(task.stopCode())
                || START_FAILURES.stream().anyMatch(f -> text.contains(f.toLowerCase(Locale.ROOT)));
        if (startFailure) {
            return new Stop(task, StopKind.START_FAILURE, null);
        }
        boolean orderly = task.stopCode() != null && ORDERLY_STOPS.contains(task.stopCode());
        boolean exited = ESSENTIAL_CONTAINER_EXITED.equals(task.stopCode())
                || (!orderly && task.containers().stream().anyMatch(c -> c.exitCode() != null && c.exitCode() != 0));
        return new Stop(task, exited ? StopKind.EXIT : StopKind.NONE, null);
    }

    /** A stopped task, as the console shows it: id, revision, stop code, reason, containers. */
    static String describe(TaskState task) {
        boolean essentialExit = ESSENTIAL_CONTAINER_EXITED.equals(task.stopCode());
        String containers = task.containers().stream()
                .filter(c -> c.reason() != null || (c.exitCode() != null && (c.exitCode() != 0 || essentialExit)))
                .map(RolloutVerdict::describe)
                .collect(Collectors.joining("; "));
        return "task " + task.shortId() + " (" + Revisions.shortName(task.taskDefinitionArn()) + ") stopped"
                + (task.stopCode() == null ? "" : " [" + task.stopCode() + "]")
                + (task.stoppedReason() == null ? "" : ": " + clip(task.stoppedReason()))
                + (containers.isEmpty() ? "" : "; " + containers);
    }

    private static String describe(ContainerState c) {
        return "container " + c.name()
                + (c.exitCode() == null ? "" : " exit code " + c.exitCode())
                + (c.reason() == null ? "" : " (" + clip(c.reason()) + ")");
    }

    private static String healthySummary(Observation o) {
        Deployment d = o.ours().orElseThrow();
        long targets = o.ourTargets().stream().filter(TargetState::isHealthy).count();
        return (o.shiftsTraffic() ? strategyName(o) + " " : "") + "deployment " + d.id() + " (" + Revisions.shortName(o.revision())
                + ") COMPLETED" + (o.ecsDone() ? " (service deployment " + o.snapshot().serviceDeployment().status() + ")" : "")
                + ", " + d.runningCount() + "/" + d.desiredCount() + " tasks running"
                + (o.snapshot().service().targetGroupArns().isEmpty() ? "" : ", " + targets + " targets healthy")
                + (o.shiftsTraffic() ? ", production traffic " + percent(o.productionPercent()) : "")
                + alarmsSummary(o.snapshot().alarms())
                + (o.snapshot().smoke() == null ? "" : ", smoke check: " + o.snapshot().smoke().detail());
    }

    /** How many alarms judged the rollout, and which ones CloudWatch no longer has (deleted during the run: not judged). */
    private static String alarmsSummary(List<AlarmStates.AlarmState> alarms) {
        long judged = alarms.stream().filter(AlarmStates.AlarmState::exists).count();
        List<String> gone = alarms.stream().filter(a -> !a.exists()).map(AlarmStates.AlarmState::name).toList();
        return (judged == 0 ? "" : ", " + judged + " alarm(s) not in ALARM")
                + (gone.isEmpty() ? "" : ", alarm(s) " + String.join(", ", gone) + " no longer exist (not judged)");
    }

    private static String strategyName(Observation o) {
        return o.snapshot().service().strategy().name().toLowerCase(Locale.ROOT).replace('_', '/');
    }

    static String percent(double value) {
        return (value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value)) + " %";
    }

    private static boolean contains(String text, String part) {
        return text != null && text.contains(part);
    }

    /** At most MAX_PART characters of a reason: its start and its end, where ECS puts the cause. */
    private static String clip(String text) {
        if (text.length() <= MAX_PART) {
            return text;
        }
        int head = MAX_PART * 2 / 5;
        return text.substring(0, head) + " … " + text.substring(text.length() - (MAX_PART - head));
    }

    private static String cap(String reason) {
        return Text.atMost(reason, MAX_REASON);
    }

    /** The snapshot seen from one rollout: which deployment, tasks and targets are ours. */
    record Observation(RolloutSnapshot snapshot, String revision, String fallback, long startedAt, boolean askedEcs,
                       Optional<Deployment> ours, List<TaskState> ourTasks, boolean toZero) {
        /** ECS's service deployment that moves the service to our revision; null when the snapshot has none. */
        ServiceDeploymentState forward() {
            ServiceDeploymentState d = snapshot.serviceDeployment();
            return d != null && d.targets(revision) ? d : null;
        }

        /** ECS's service deployment whose rollback returns the service to our revision (the way back); null when none. */
        ServiceDeploymentState back() {
            ServiceDeploymentState d = snapshot.serviceDeployment();
            return d != null && d.returnsTo(revision) ? d : null;
        }

        /** ECS's service deployment says it got the service to our revision: SUCCESSFUL, or its rollback to it ROLLBACK_SUCCESSFUL. */
        boolean ecsDone() {
            return forward() != null && forward().successful() || back() != null && back().rolledBack();
        }

        static Observation of(RolloutSnapshot snapshot, Rollout rollout, String fallback) {
            ServiceState service = snapshot.service();
            Optional<Deployment> ours = service.deployments().stream()
                    .filter(d -> rollout.deploymentId() != null && rollout.deploymentId().equals(d.id()))
                    .findFirst()
                    .or(() -> service.deploymentOf(rollout.taskDefinition()));
            Map<String, TaskState> byArn = new LinkedHashMap<>();
            snapshot.tasks().stream()
                    .filter(t -> ours.isPresent() ? ours.get().id() != null && ours.get().id().equals(t.startedBy())
                            : Revisions.same(t.taskDefinitionArn(), rollout.taskDefinition()))
                    .forEach(t -> byArn.put(t.taskArn(), t)); // a task that stopped between the two listings is listed by both
            List<TaskState> tasks = List.copyOf(byArn.values());
            boolean askedEcs = rollout.deploymentId() == null && rollout.started();
            return new Observation(snapshot, rollout.taskDefinition(), fallback, rollout.startedAt(), askedEcs, ours, tasks,
                    rollout.toZero());
        }

        boolean shiftsTraffic() {
            return snapshot.service().strategy().shiftsTraffic();
        }

        /**
         * The deployment ECS was asked to stop (StopServiceDeployment: the way back has no deployment id of
         * its own), when it is still PRIMARY and in progress: ECS has not begun the rollback yet.
         */
        Optional<Deployment> rollbackNotBegun() {
            if (!askedEcs || !shiftsTraffic() || fallback == null) {
                return Optional.empty();
            }
            return snapshot.service().primary()
                    .filter(p -> Revisions.same(p.taskDefinition(), fallback) && "IN_PROGRESS".equals(p.rolloutState()));
        }

        /**
         * The share of production traffic our revision gets now: the target revision's production
         * weight of a traffic-shifting deployment (100 once it succeeded), else our healthy targets
         * among all healthy targets (an ALB spreads requests over the healthy targets of a group).
         */
        double productionPercent() {
            ServiceDeploymentState d = forward();
            if (shiftsTraffic() && d != null) {
                return d.productionPercent() != null ? d.productionPercent() : d.successful() ? 100 : 0;
            }
            long healthy = snapshot.targets().stream().filter(TargetState::isHealthy).count();
            long ours = ourTargets().stream().filter(TargetState::isHealthy).count();
            return healthy == 0 ? 0 : Math.round(1000.0 * ours / healthy) / 10.0;
        }

        /** The stage the rollout reached: see {@link CheckResult#stage()}. */
        String stage() {
            ServiceDeploymentState d = forward();
            if (shiftsTraffic() && d != null) {
                if (d.rollingBack() && snapshot.hook() != null) {
                    return snapshot.hook().stage();
                }
                return d.stage() != null ? d.stage() : d.status();
            }
            return ours.map(Deployment::rolloutState).orElse(null);
        }

        CheckResult result(Verdict verdict, String reason, int nextPollSeconds) {
            double now = productionPercent();
            double max = Math.max(now, snapshot.hook() == null ? 0 : snapshot.hook().productionPercent());
            return new CheckResult(verdict, reason, nextPollSeconds, ours.map(Deployment::runningCount).orElse(0),
                    ours.map(Deployment::desiredCount).orElse(0), ours.map(Deployment::failedTasks).orElse(0),
                    snapshot.service().strategy().name(), stage(), now, max);
        }

        /** Our tasks' stops, oldest task first as listed, with what each proves. */
        List<Stop> stops() {
            return ourTasks.stream().map(RolloutVerdict::classify).filter(s -> s.kind() != StopKind.NONE).toList();
        }

        List<TaskState> runningTasks() {
            return ourTasks.stream().filter(TaskState::isRunning).toList();
        }

        List<TargetState> ourTargets() {
            Set<String> ips = runningTasks().stream().map(TaskState::privateIp).filter(ip -> ip != null)
                    .collect(Collectors.toSet());
            return snapshot.targets().stream().filter(t -> ips.contains(t.id())).toList();
        }

        /** Our deployment is PRIMARY with all desired tasks running: only health is outstanding. */
        boolean settling() {
            return ours.filter(d -> d.isPrimary() && d.desiredCount() > 0 && d.runningCount() == d.desiredCount())
                    .isPresent();
        }

        /** The first condition of HEALTHY that does not hold yet, or null when all hold. */
        String outstanding() {
            String rev = Revisions.shortName(revision);
            ServiceDeploymentState shift = forward();
            if (shiftsTraffic() && shift != null && !shift.successful()) {
                return "ECS's " + strategyName(this) + " deployment of " + rev + " is "
                        + (shift.stage() == null ? shift.status() : "at " + shift.stage() + " (" + shift.status() + ")")
                        + ", production traffic " + percent(productionPercent())
                        + (shift.testPercent() == null ? "" : ", test traffic " + percent(shift.testPercent()));
            }
            if (shift != null && !shift.successful()) {
                ServiceDeploymentState.Tasks tasks = shift.tasks();
                ServiceDeploymentState.CircuitBreaker breaker = shift.circuitBreaker();
                return "ECS's service deployment of " + rev + " is " + shift.status()
                        + (tasks == null ? "" : ": " + tasks.running() + "/" + tasks.requested() + " tasks running, "
                                + tasks.pending() + " pending")
                        + (breaker == null || "DISABLED".equals(breaker.status()) ? "" : "; circuit breaker " + breaker.status()
                                + ": " + breaker.failureCount() + " failed task(s) of " + breaker.threshold());
            }
            ServiceDeploymentState back = back();
            if (back != null && !back.rolledBack()) {
                return "ECS is rolling service deployment " + shortArn(back.arn()) + " back to " + rev + " (" + back.status() + ")"
                        + (back.rollbackReason() == null ? "" : ": " + clip(back.rollbackReason()));
            }
            Optional<Deployment> stopping = rollbackNotBegun();
            if (stopping.isPresent()) {
                return "ECS has not begun the rollback it was asked for: deployment " + stopping.get().id() + " ("
                        + Revisions.shortName(stopping.get().taskDefinition()) + ") is still PRIMARY, IN_PROGRESS";
            }
            if (ours.isEmpty()) {
                return "no ECS deployment of " + rev + " is visible yet";
            }
            Deployment d = ours.get();
            if (!d.isPrimary()) {
                return "deployment " + d.id() + " (" + rev + ") is " + d.status() + ", not PRIMARY";
            }
            if (toZero) {
                long running = snapshot.tasks().stream().filter(TaskState::isRunning).count();
                return d.desiredCount() != 0
                        ? "deployment " + d.id() + " (" + rev + ") wants " + d.desiredCount() + " tasks; the way back asked for 0"
                        : "the way back to no task: " + running + " task(s) of the service still running";
            }
            if (d.desiredCount() == 0) {
                return "deployment " + d.id() + " (" + rev + ") wants 0 tasks: nothing runs the revision";
            }
            if (d.runningCount() != d.desiredCount()) {
                return d.runningCount() + "/" + d.desiredCount() + " tasks of " + rev + " running, "
                        + d.pendingCount() + " pending"
                        + (d.failedTasks() > 0 ? ", " + d.failedTasks() + " failed so far" : "");
            }
            String targets = targetsOutstanding(rev, d.desiredCount());
            if (targets != null) {
                return targets;
            }
            if (!ecsDone() && !Deployment.COMPLETED.equals(d.rolloutState())) {
                return "rollout of " + rev + " is " + d.rolloutState()
                        + (d.rolloutStateReason() == null ? "" : ": " + d.rolloutStateReason());
            }
            if (snapshot.smoke() != null && !snapshot.smoke().ok()) {
                return "smoke check failing: " + snapshot.smoke().detail();
            }
            return null;
        }

        private String targetsOutstanding(String rev, int desired) {
            List<String> problems = new ArrayList<>();
            List<TargetState> ourTargets = ourTargets();
            if (shiftsTraffic()) {
                return poolOutstanding(rev, desired, ourTargets);
            }
            for (String group : snapshot.service().targetGroupArns()) {
                List<TargetState> inGroup = ourTargets.stream().filter(t -> group.equals(t.targetGroupArn())).toList();
                List<String> unhealthy = inGroup.stream().filter(t -> !t.isHealthy())
                        .map(t -> "target " + t.id() + (t.port() == null ? "" : ":" + t.port()) + " is " + t.state()
                                + (t.reason() == null ? "" : " (" + t.reason() + ")") + " in " + groupName(group))
                        .toList();
                long healthy = inGroup.size() - unhealthy.size();
                problems.addAll(unhealthy);
                if (unhealthy.isEmpty() && healthy < desired) {
                    problems.add(healthy + "/" + desired + " targets of " + rev + " healthy in " + groupName(group));
                }
            }
            return problems.isEmpty() ? null : String.join("; ", problems);
        }

        /**
         * A traffic-shifting service registers a revision's tasks in one of its two target groups
         * (which one alternates from deployment to deployment): at least {@code desired} of our
         * targets healthy across them, none of ours in another state.
         */
        private String poolOutstanding(String rev, int desired, List<TargetState> ourTargets) {
            if (snapshot.service().allTargetGroupArns().isEmpty()) {
                return null;
            }
            List<String> problems = new ArrayList<>(ourTargets.stream().filter(t -> !t.isHealthy())
                    .map(t -> "target " + t.id() + (t.port() == null ? "" : ":" + t.port()) + " is " + t.state()
                            + (t.reason() == null ? "" : " (" + t.reason() + ")") + " in " + groupName(t.targetGroupArn()))
                    .toList());
            long healthy = ourTargets.stream().filter(TargetState::isHealthy).count();
            if (problems.isEmpty() && healthy < desired) {
                problems.add(healthy + "/" + desired + " targets of " + rev + " healthy");
            }
            return problems.isEmpty() ? null : String.join("; ", problems);
        }

        private static String groupName(String targetGroupArn) {
            String[] parts = targetGroupArn.split("/");
            return parts.length >= 2 ? "target group " + parts[parts.length - 2] : targetGroupArn;
        }

        private static String shortArn(String arn) {
            return arn == null ? "?" : arn.substring(arn.lastIndexOf('/') + 1);
        }

        /** The newest service event about our deployment, as a suffix, or "". */
        String lastEvent() {
            return ours.map(Deployment::id)
                    .flatMap(id -> snapshot.service().events().stream().filter(e -> e.contains(id)).findFirst())
                    .map(e -> "; last event: " + clip(e))
                    .orElse("");
        }
    }
}
