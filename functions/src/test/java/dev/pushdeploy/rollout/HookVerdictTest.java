package dev.pushdeploy.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;

import dev.pushdeploy.model.HookAnswer;
import dev.pushdeploy.rollout.AlarmStates.AlarmState;
import dev.pushdeploy.rollout.RolloutSnapshot.SmokeResult;
import dev.pushdeploy.rollout.RolloutSnapshot.TargetState;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The hook's answer at each lifecycle stage, as a table. */
class HookVerdictTest {
    private static final long STARTED = 1_750_000_000_000L;
    private static final long NOW = STARTED + 300_000;
    private static final String TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-alt/0";
    private static final SmokeResult OK = new SmokeResult(true, "GET http://alb/health answered 200 (expected 200)");
    private static final SmokeResult BAD = new SmokeResult(false, "GET http://alb/health answered 503 (expected 200)");

    /** An observation at {@code stage}: 2 desired, both targets healthy, no alarm, nothing carried over. */
    record Seen(String stage, boolean rollingBack, SmokeResult smoke, List<TargetState> targets, List<AlarmState> alarms,
                double production, Map<String, String> details) {
        static Seen at(String stage) {
            return new Seen(stage, false, null, List.of(target("10.0.1.11", "healthy"), target("10.0.1.12", "healthy")),
                    List.of(), 0, Map.of());
        }

        Seen smoke(SmokeResult result) {
            return new Seen(stage, rollingBack, result, targets, alarms, production, details);
        }

        Seen targets(TargetState... replacement) {
            return new Seen(stage, rollingBack, smoke, List.of(replacement), alarms, production, details);
        }

        Seen alarm(String state, long since) {
            return new Seen(stage, rollingBack, smoke, targets,
                    List.of(new AlarmState("web-5xx", state, "Threshold Crossed: 5xx rate 12.5 > 5", since)), production, details);
        }

        Seen production(double percent) {
            return new Seen(stage, rollingBack, smoke, targets, alarms, percent, details);
        }

        Seen whileRollingBack() {
            return new Seen(stage, true, smoke, targets, alarms, production, details);
        }

        Seen carried(String... pairs) {
            java.util.Map<String, String> d = new java.util.HashMap<>();
            for (int i = 0; i < pairs.length; i += 2) {
                d.put(pairs[i], pairs[i + 1]);
            }
            return new Seen(stage, rollingBack, smoke, targets, alarms, production, d);
        }

        Seen toZero() {
            return new Seen(stage, rollingBack, smoke, List.of(), alarms, production, details);
        }

        HookVerdict.Observation observation() {
            return observation(null);
        }

        /** The observation at the step where ECS's payload gives the new revision {@code step} % of production traffic. */
        HookVerdict.Observation observation(Double step) {
            return new HookVerdict.Observation(stage, step, rollingBack, STARTED, NOW, 600, smoke, targets.isEmpty() ? 0 : 2,
                    targets, alarms, production, details);
        }
    }

    static TargetState target(String ip, String state) {
        return new TargetState(TG, ip, 8080, state, "unhealthy".equals(state) ? "Target.FailedHealthChecks" : null);
    }

    private static Arguments row(String name, Seen seen, String status, String... reasonParts) {
        return Arguments.of(named(name, seen), status, List.of(reasonParts));
    }

    static Stream<Arguments> table() {
        return Stream.of(
                row("scale-up stages are not judged", Seen.at("POST_SCALE_UP"), HookAnswer.SUCCEEDED, "nothing to judge"),
                row("test traffic: the smoke check passes", Seen.at("POST_TEST_TRAFFIC_SHIFT").smoke(OK), HookAnswer.SUCCEEDED,
                        "2 targets", "smoke check through the test listener", "answered 200", "production traffic 0 %"),
                row("test traffic: a first failed smoke check is retried", Seen.at("POST_TEST_TRAFFIC_SHIFT").smoke(BAD),
                        HookAnswer.IN_PROGRESS, "(1 of 3)", "answered 503"),
                row("test traffic: the third failed smoke check fails the deployment",
                        Seen.at("POST_TEST_TRAFFIC_SHIFT").smoke(BAD).carried(HookVerdict.STAGE, "POST_TEST_TRAFFIC_SHIFT",
                                HookVerdict.SINCE, String.valueOf(NOW - 20_000), HookVerdict.SMOKE_FAILURES, "2"),
                        HookAnswer.FAILED, "failed 3 times", "answered 503"),
                row("failures carried from another stage do not count",
                        Seen.at("POST_TEST_TRAFFIC_SHIFT").smoke(BAD).carried(HookVerdict.STAGE, "TEST_TRAFFIC_SHIFT",
                                HookVerdict.SMOKE_FAILURES, "2"),
                        HookAnswer.IN_PROGRESS, "(1 of 3)"),
                row("production shift: targets healthy, no alarm", Seen.at("PRODUCTION_TRAFFIC_SHIFT").production(5)
                                .alarm("OK", STARTED), HookAnswer.SUCCEEDED, "2 targets", "no alarm in ALARM", "production traffic 5 %"),
                row("production shift: an alarm that went off after the start fails it",
                        Seen.at("PRODUCTION_TRAFFIC_SHIFT").alarm("ALARM", STARTED + 60_000), HookAnswer.FAILED,
                        "alarm web-5xx is in ALARM", "Threshold Crossed"),
                row("an alarm already in ALARM before the deployment proves nothing",
                        Seen.at("POST_PRODUCTION_TRAFFIC_SHIFT").alarm("ALARM", STARTED - 60_000), HookAnswer.SUCCEEDED),
                row("an alarm fails the test stage too, before the smoke check counts",
                        Seen.at("POST_TEST_TRAFFIC_SHIFT").smoke(OK).alarm("ALARM", STARTED + 1), HookAnswer.FAILED, "web-5xx"),
                row("a target still registering is waited for", Seen.at("PRODUCTION_TRAFFIC_SHIFT")
                        .targets(target("10.0.1.11", "healthy"), target("10.0.1.12", "initial")), HookAnswer.IN_PROGRESS,
                        "1/2 targets", "10.0.1.12 initial"),
                row("too few targets are waited for", Seen.at("PRODUCTION_TRAFFIC_SHIFT").targets(target("10.0.1.11", "healthy")),
                        HookAnswer.IN_PROGRESS, "1/2 targets"),
                row("an unhealthy target a third time in a row fails it", Seen.at("POST_PRODUCTION_TRAFFIC_SHIFT")
                                .targets(target("10.0.1.11", "healthy"), target("10.0.1.12", "unhealthy"))
                                .carried(HookVerdict.STAGE, "POST_PRODUCTION_TRAFFIC_SHIFT", HookVerdict.SINCE, String.valueOf(NOW - 20_000),
                                        HookVerdict.UNHEALTHY, "2"),
                        HookAnswer.FAILED, "unhealthy at 3 checks in a row", "Target.FailedHealthChecks"),
                row("a stage still waiting after its timeout fails", Seen.at("PRODUCTION_TRAFFIC_SHIFT")
                                .targets(target("10.0.1.11", "initial"))
                                .carried(HookVerdict.STAGE, "PRODUCTION_TRAFFIC_SHIFT", HookVerdict.SINCE, String.valueOf(NOW - 601_000)),
                        HookAnswer.FAILED, "still waiting at PRODUCTION_TRAFFIC_SHIFT after 600 s", "0/2 targets"),
                row("a move to no task (a first release undone) is not held up by the test listener's 503",
                        Seen.at("POST_TEST_TRAFFIC_SHIFT").toZero().smoke(BAD), HookAnswer.SUCCEEDED, "wants no task"),
                row("nor by an alarm a load balancer without targets sets off",
                        Seen.at("PRODUCTION_TRAFFIC_SHIFT").toZero().production(100).alarm("ALARM", STARTED + 1),
                        HookAnswer.SUCCEEDED, "wants no task"),
                row("a rollback is never held up, whatever is seen", Seen.at("PRODUCTION_TRAFFIC_SHIFT").whileRollingBack()
                                .alarm("ALARM", STARTED + 1).targets(target("10.0.1.11", "unhealthy")),
                        HookAnswer.SUCCEEDED, "rolling back"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void answer(Seen seen, String status, List<String> reasonParts) {
        HookVerdict.Decision d = HookVerdict.judge(seen.observation());
        assertEquals(status, d.status(), d.reason());
        for (String part : reasonParts) {
            assertTrue(d.reason().contains(part), () -> "reason '" + d.reason() + "' lacks '" + part + "'");
        }
        HookAnswer answer = d.answer();
        assertEquals(status, answer.hookStatus());
        if (status.equals(HookAnswer.IN_PROGRESS)) {
            assertEquals(HookVerdict.RETRY_SECONDS, answer.callBackDelay());
            assertEquals(seen.stage(), answer.hookDetails().get(HookVerdict.STAGE));
        } else {
            assertNull(answer.callBackDelay());
            assertNull(answer.hookDetails());
        }
    }

    @Test
    void countersTravelThroughEcsUntilTheSmokeCheckFailsForGood() {
        Seen seen = Seen.at("POST_TEST_TRAFFIC_SHIFT").smoke(BAD);
        HookVerdict.Decision first = HookVerdict.judge(seen.observation());
        HookVerdict.Decision second = HookVerdict.judge(new Seen(seen.stage(), false, BAD, seen.targets(), List.of(), 0,
                first.details()).observation());
        HookVerdict.Decision third = HookVerdict.judge(new Seen(seen.stage(), false, BAD, seen.targets(), List.of(), 0,
                second.details()).observation());
        assertEquals(List.of(HookAnswer.IN_PROGRESS, HookAnswer.IN_PROGRESS, HookAnswer.FAILED),
                List.of(first.status(), second.status(), third.status()));
        assertEquals(String.valueOf(NOW), second.details().get(HookVerdict.SINCE), "the stage's first sighting is kept");
    }

    @Test
    void withoutAnAnswerFromAwsTheHookAsksAgainUntilTheStageTimesOut() {
        HookVerdict.Decision first = HookVerdict.unobserved("PRODUCTION_TRAFFIC_SHIFT", null, NOW, 600, Map.of(), "throttled");
        assertEquals(HookAnswer.IN_PROGRESS, first.status());
        HookVerdict.Decision late = HookVerdict.unobserved("PRODUCTION_TRAFFIC_SHIFT", null, NOW + 601_000, 600, first.details(), "throttled");
        assertEquals(HookAnswer.FAILED, late.status());
        assertTrue(late.reason().contains("throttled"), late.reason());
    }

    /**
     * ECS invokes the PRODUCTION_TRAFFIC_SHIFT hook at each step of a LINEAR or CANARY shift and passes the hookDetails
     * of the deployment's earlier steps back: a step keeps its own counters, a later step (or counters kept by the stage
     * name alone) starts afresh.
     */
    @Test
    void eachStepOfTheProductionShiftKeepsItsOwnCounters() {
        Map<String, String> stepOne = Map.of(HookVerdict.STAGE, "PRODUCTION_TRAFFIC_SHIFT@20", HookVerdict.SINCE,
                String.valueOf(NOW - 601_000), HookVerdict.UNHEALTHY, "2");
        Seen waiting = Seen.at("PRODUCTION_TRAFFIC_SHIFT").targets(target("10.0.1.11", "healthy"), target("10.0.1.12", "initial"))
                .carried(stepOne.entrySet().stream().flatMap(e -> Stream.of(e.getKey(), e.getValue())).toArray(String[]::new));

        assertEquals(HookAnswer.FAILED, HookVerdict.judge(waiting.observation(20.0)).status(), "the same step still waiting");
        HookVerdict.Decision later = HookVerdict.judge(waiting.observation(60.0));
        assertEquals(HookAnswer.IN_PROGRESS, later.status(), later.reason());
        assertEquals(Map.of(HookVerdict.STAGE, "PRODUCTION_TRAFFIC_SHIFT@60", HookVerdict.SINCE, String.valueOf(NOW),
                HookVerdict.SMOKE_FAILURES, "0", HookVerdict.UNHEALTHY, "0"), later.details());
        HookVerdict.Decision stageOnly = HookVerdict.judge(waiting.carried(HookVerdict.STAGE, "PRODUCTION_TRAFFIC_SHIFT",
                HookVerdict.SINCE, String.valueOf(NOW - 601_000)).observation(60.0));
        assertEquals(HookAnswer.IN_PROGRESS, stageOnly.status(), stageOnly.reason());

        assertEquals(HookAnswer.FAILED, HookVerdict.unobserved("PRODUCTION_TRAFFIC_SHIFT", 20.0, NOW, 600, stepOne, "throttled").status());
        assertEquals(HookAnswer.IN_PROGRESS, HookVerdict.unobserved("PRODUCTION_TRAFFIC_SHIFT", 60.0, NOW, 600, stepOne, "throttled")
                .status());
        assertEquals("PRODUCTION_TRAFFIC_SHIFT@12.5", HookVerdict.key("PRODUCTION_TRAFFIC_SHIFT", 12.5));
        assertEquals("POST_PRODUCTION_TRAFFIC_SHIFT", HookVerdict.key("POST_PRODUCTION_TRAFFIC_SHIFT", 100.0),
                "one invocation series per stage elsewhere");
    }

    static Stream<Arguments> wayBack() {
        String green = "arn:aws:ecs:us-east-1:123456789012:service-revision/pushdeploy/web/1";
        String blue = "arn:aws:ecs:us-east-1:123456789012:service-revision/pushdeploy/web/0";
        return Stream.of(
                Arguments.of(named("the target at 0 %, the other at 100 %", "PRODUCTION_TRAFFIC_SHIFT"), green,
                        Map.of(green, 0.0, blue, 100.0), true),
                Arguments.of(named("a step of the way there", "PRODUCTION_TRAFFIC_SHIFT"), green, Map.of(green, 20.0, blue, 80.0), false),
                Arguments.of(named("the whole shift there", "PRODUCTION_TRAFFIC_SHIFT"), green, Map.of(green, 100.0, blue, 0.0), false),
                Arguments.of(named("no weights in the payload", "PRODUCTION_TRAFFIC_SHIFT"), green, Map.of(), false),
                Arguments.of(named("no other revision at 100 %", "PRODUCTION_TRAFFIC_SHIFT"), green, Map.of(green, 0.0), false),
                Arguments.of(named("another stage", "POST_PRODUCTION_TRAFFIC_SHIFT"), green, Map.of(green, 0.0, blue, 100.0), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wayBack")
    void theWayBackIsReadFromThePayloadsProductionWeights(String stage, String target, Map<String, Double> weights, boolean back) {
        assertEquals(back, HookVerdict.wayBack(stage, target, weights));
    }
}
