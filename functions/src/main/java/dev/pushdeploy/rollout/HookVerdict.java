package dev.pushdeploy.rollout;

import dev.pushdeploy.model.HookAnswer;
import dev.pushdeploy.rollout.AlarmStates.AlarmState;
import dev.pushdeploy.rollout.RolloutSnapshot.SmokeResult;
import dev.pushdeploy.rollout.RolloutSnapshot.TargetState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * pushdeploy's verdict at one lifecycle stage of a traffic-shifting deployment, as pure code: the
 * answer ECS gets from the lifecycle hook.
 *
 * <p>Written like {@link RolloutVerdict}: ordered acceptors, the first that matches decides.
 * A rollback is never held up (ECS invokes the traffic-shift hooks on the way back too). An alarm
 * that went into ALARM after the deployment started fails it at any stage. At the test-traffic
 * stages the new revision must answer the smoke check through the test listener before any
 * production traffic moves; it gets {@value #SMOKE_ATTEMPTS} tries, {@value #RETRY_SECONDS} s
 * apart. At every judged stage all of the new revision's targets must be healthy (at least the
 * desired count): targets still registering are waited for, a target unhealthy at
 * {@value #UNHEALTHY_CHECKS} checks in a row fails it. Waiting is IN_PROGRESS with a
 * {@code callBackDelay}; a stage that is still waiting {@code timeoutSeconds} after the hook first
 * saw it fails. Stages before the test traffic (scale-up) are not judged.
 *
 * <p>The hook has no memory but what it hands ECS: the counters travel in {@code hookDetails}
 * ({@value #STAGE}, {@value #SINCE}, {@value #SMOKE_FAILURES}, {@value #UNHEALTHY}), reset when the stage changes.
 * ECS invokes the PRODUCTION_TRAFFIC_SHIFT hook at each step of a LINEAR or CANARY shift, with the hookDetails of the
 * deployment's earlier steps: there the counters are the step's ({@link #key}), a later step starts afresh.
 */
public final class HookVerdict {
    static final Set<String> TEST_STAGES = Set.of("TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT");
    static final Set<String> PRODUCTION_STAGES = Set.of("PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT");
    static final int SMOKE_ATTEMPTS = 3;
    static final int UNHEALTHY_CHECKS = 3;
    static final int RETRY_SECONDS = 10;
    static final String STAGE = "stage";
    static final String SINCE = "since";
    static final String SMOKE_FAILURES = "smokeFailures";
    static final String UNHEALTHY = "unhealthyChecks";

    /**
     * What the hook observed at one invocation.
     *
     * @param step                the new revision's production weight in ECS's payload (null when it gives none)
     * @param rollingBack         ECS is rolling the deployment back
     * @param deploymentStartedAt when the service deployment started (epoch millis): older alarms prove nothing
     * @param timeoutSeconds      how long one stage may wait
     * @param smoke               the smoke check through the test listener (test stages only; else null)
     * @param desired             the new revision's desired task count
     * @param ourTargets          the targets of the new revision's running tasks, in either target group
     * @param alarms              the configured alarms' states
     * @param productionPercent   the new revision's share of production traffic
     * @param details             the {@code hookDetails} ECS passed back
     */
    public record Observation(String stage, Double step, boolean rollingBack, long deploymentStartedAt, long now,
                              int timeoutSeconds, SmokeResult smoke, int desired, List<TargetState> ourTargets,
                              List<AlarmState> alarms, double productionPercent, Map<String, String> details) {
        public Observation {
            ourTargets = ourTargets == null ? List.of() : List.copyOf(ourTargets);
            alarms = alarms == null ? List.of() : List.copyOf(alarms);
            details = details == null ? Map.of() : Map.copyOf(details);
        }
    }

    /** The answer and why; {@code details} go back to ECS with an IN_PROGRESS answer. */
    public record Decision(String status, String reason, Integer callBackDelay, Map<String, String> details) {
        public HookAnswer answer() {
            return new HookAnswer(status, callBackDelay, HookAnswer.IN_PROGRESS.equals(status) ? details : null);
        }
    }

    /** One acceptor: answers a decision or null. */
    record Acceptor(String name, Function<Counters, Decision> matcher) {
    }

    static final List<Acceptor> ACCEPTORS = List.of(
            new Acceptor("rollback", HookVerdict::rollback),
            new Acceptor("notJudged", HookVerdict::notJudged),
            new Acceptor("nothingToRun", HookVerdict::nothingToRun),
            new Acceptor("alarm", HookVerdict::alarm),
            new Acceptor("smoke", HookVerdict::smoke),
            new Acceptor("targets", HookVerdict::targets),
            new Acceptor("healthy", HookVerdict::healthy));

    private HookVerdict() {
    }

    public static Decision judge(Observation o) {
        Counters c = Counters.of(o);
        for (Acceptor acceptor : ACCEPTORS) {
            Decision d = acceptor.matcher().apply(c);
            if (d == null) {
                continue;
            }
            if (HookAnswer.IN_PROGRESS.equals(d.status()) && o.now() - c.since >= 1000L * o.timeoutSeconds()) {
                return new Decision(HookAnswer.FAILED, "still waiting at " + o.stage() + " after " + o.timeoutSeconds()
                        + " s: " + d.reason(), null, Map.of());
            }
            return d;
        }
        throw new IllegalStateException("the healthy acceptor matches what the others leave");
    }

    /**
     * The answer when nothing could be observed (AWS did not answer): ask to be called again, with
     * the counters kept, until the stage's timeout.
     */
    public static Decision unobserved(String stage, Double step, long now, int timeoutSeconds, Map<String, String> details,
                                      String reason) {
        Counters c = Counters.of(new Observation(stage, step, false, 0, now, timeoutSeconds, null, 0, List.of(), List.of(), 0,
                details));
        if (now - c.since >= 1000L * timeoutSeconds) {
            return new Decision(HookAnswer.FAILED, "still waiting at " + stage + " after " + timeoutSeconds + " s: " + reason,
                    null, Map.of());
        }
        return c.waiting(reason, c.smokeFailures, c.unhealthyChecks);
    }

    /**
     * ECS's documented sign of its way back: at PRODUCTION_TRAFFIC_SHIFT the payload gives the target revision 0 % of
     * production traffic and another revision 100 %. Read before any AWS call, so that nothing holds a rollback up.
     */
    public static boolean wayBack(String stage, String targetRevision, Map<String, Double> productionWeights) {
        Double target = targetRevision == null ? null : productionWeights.get(targetRevision);
        return "PRODUCTION_TRAFFIC_SHIFT".equals(stage) && target != null && target == 0
                && productionWeights.entrySet().stream().anyMatch(e -> !e.getKey().equals(targetRevision)
                        && e.getValue() != null && e.getValue() == 100);
    }

    /** What the counters are kept for: the stage, at PRODUCTION_TRAFFIC_SHIFT with its step ({@code PRODUCTION_TRAFFIC_SHIFT@20}). */
    static String key(String stage, Double step) {
        if (!"PRODUCTION_TRAFFIC_SHIFT".equals(stage) || step == null) {
            return stage;
        }
        return stage + "@" + (step == Math.rint(step) ? String.valueOf(step.longValue()) : String.valueOf(step));
    }

    private static Decision rollback(Counters c) {
        return c.o.rollingBack() ? new Decision(HookAnswer.SUCCEEDED, "ECS is rolling back: the way back is not held up", null, Map.of())
                : null;
    }

    private static Decision notJudged(Counters c) {
        String stage = c.o.stage();
        return TEST_STAGES.contains(stage) || PRODUCTION_STAGES.contains(stage) ? null
                : new Decision(HookAnswer.SUCCEEDED, "nothing to judge at " + stage, null, Map.of());
    }

    /**
     * A revision that wants no task (the way back from a first release to the stack's bootstrap revision) serves
     * nothing: a smoke check or an alarm (the 5xx of a load balancer without targets) says nothing about it.
     */
    private static Decision nothingToRun(Counters c) {
        return c.o.desired() == 0 && c.o.ourTargets().isEmpty()
                ? new Decision(HookAnswer.SUCCEEDED, "the new revision wants no task: nothing to judge at " + c.o.stage(), null, Map.of())
                : null;
    }

    private static Decision alarm(Counters c) {
        return c.o.alarms().stream().filter(a -> a.inAlarm() && a.since() >= c.o.deploymentStartedAt()).findFirst()
                .map(a -> new Decision(HookAnswer.FAILED, "alarm " + a.name() + " is in ALARM"
                        + (a.reason() == null ? "" : ": " + a.reason()), null, Map.of()))
                .orElse(null);
    }

    private static Decision smoke(Counters c) {
        SmokeResult smoke = c.o.smoke();
        if (!TEST_STAGES.contains(c.o.stage()) || smoke == null || smoke.ok()) {
            return null;
        }
        int failures = c.smokeFailures + 1;
        if (failures >= SMOKE_ATTEMPTS) {
            return new Decision(HookAnswer.FAILED, "smoke check through the test listener failed " + failures + " times: "
                    + smoke.detail(), null, Map.of());
        }
        return c.waiting("smoke check through the test listener failed (" + failures + " of " + SMOKE_ATTEMPTS + "): "
                + smoke.detail(), failures, 0);
    }

    private static Decision targets(Counters c) {
        List<TargetState> unhealthy = c.o.ourTargets().stream().filter(t -> !t.isHealthy()).toList();
        long healthy = c.o.ourTargets().size() - unhealthy.size();
        boolean failing = unhealthy.stream().anyMatch(t -> "unhealthy".equals(t.state()));
        if (unhealthy.isEmpty() && healthy >= c.o.desired()) {
            return null;
        }
        String state = healthy + "/" + c.o.desired() + " targets of the new revision healthy"
                + (unhealthy.isEmpty() ? "" : "; " + unhealthy.stream()
                        .map(t -> t.id() + " " + t.state() + (t.reason() == null ? "" : " (" + t.reason() + ")"))
                        .collect(Collectors.joining(", ")));
        int checks = failing ? c.unhealthyChecks + 1 : 0;
        if (checks >= UNHEALTHY_CHECKS) {
            return new Decision(HookAnswer.FAILED, "targets unhealthy at " + checks + " checks in a row: " + state, null, Map.of());
        }
        return c.waiting(state, c.smokeFailures, checks);
    }

    private static Decision healthy(Counters c) {
        return new Decision(HookAnswer.SUCCEEDED, c.o.ourTargets().size() + " targets of the new revision healthy"
                + (c.o.alarms().isEmpty() ? "" : ", no alarm in ALARM")
                + (c.o.smoke() == null ? "" : ", smoke check through the test listener: " + c.o.smoke().detail())
                + ", production traffic " + RolloutVerdict.percent(c.o.productionPercent()), null, Map.of());
    }

    /** The observation with the counters ECS passed back (reset when the stage or the step changed). */
    record Counters(Observation o, long since, int smokeFailures, int unhealthyChecks) {
        static Counters of(Observation o) {
            Map<String, String> d = o.details();
            if (!key(o.stage(), o.step()).equals(d.get(STAGE))) {
                return new Counters(o, o.now(), 0, 0);
            }
            return new Counters(o, number(d.get(SINCE), o.now()), (int) number(d.get(SMOKE_FAILURES), 0),
                    (int) number(d.get(UNHEALTHY), 0));
        }

        Decision waiting(String reason, int smokeFailures, int unhealthyChecks) {
            Map<String, String> details = new HashMap<>();
            details.put(STAGE, key(o.stage(), o.step()));
            details.put(SINCE, String.valueOf(since));
            details.put(SMOKE_FAILURES, String.valueOf(smokeFailures));
            details.put(UNHEALTHY, String.valueOf(unhealthyChecks));
            return new Decision(HookAnswer.IN_PROGRESS, reason, RETRY_SECONDS, details);
        }

        private static long number(String text, long fallback) {
            try {
                return text == null ? fallback : Long.parseLong(text);
            } catch (NumberFormatException e) {
                return fallback;
            }
        }
    }
}
