package dev.pushdeploy.rollout;

import static dev.pushdeploy.rollout.Snapshots.ALT_TG;
import static dev.pushdeploy.rollout.Snapshots.OURS;
import static dev.pushdeploy.rollout.Snapshots.REV1;
import static dev.pushdeploy.rollout.Snapshots.REV2;
import static dev.pushdeploy.rollout.Snapshots.STARTED;
import static dev.pushdeploy.rollout.Snapshots.primary;
import static dev.pushdeploy.rollout.Snapshots.deployment;
import static dev.pushdeploy.rollout.Snapshots.rollout;
import static dev.pushdeploy.rollout.Snapshots.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;

import dev.pushdeploy.config.Strategy;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.Verdict;
import dev.pushdeploy.rollout.RolloutSnapshot.TargetState;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The verdict on traffic-shifting rollouts (ECS's service deployment, the hook's record) and on alarms, for every strategy. */
class StrategyVerdictTest {
    private static final long NOW = STARTED + 120_000;

    /** A row: what the check sees, the verdict, parts of the reason, the stage and production share it reports. */
    record Row(Snapshots snapshot, Verdict verdict, List<String> reasonParts, String stage, double production, double max) {
    }

    private static Arguments row(String name, Snapshots snapshot, Verdict verdict, String stage, double production, double max,
                                 String... parts) {
        return Arguments.of(named(name, new Row(snapshot, verdict, List.of(parts), stage, production, max)));
    }

    /** Revision 2's tasks registered in the alternate target group of a traffic-shifting service. */
    private static Snapshots green(Strategy.Type type) {
        return Snapshots.healthy().strategy(type)
                .deployments(primary(OURS, REV2, "IN_PROGRESS", 2, 2), deployment("ecs-svc/old", "ACTIVE", REV1, "COMPLETED", null, 2, 2, 0))
                .targets(alt("10.0.1.11", "healthy"), alt("10.0.1.12", "healthy"));
    }

    private static TargetState alt(String ip, String state) {
        return new TargetState(ALT_TG, ip, 8080, state, null);
    }

    static Stream<Arguments> table() {
        return Stream.of(
                row("blue/green at the test traffic stage waits, production untouched",
                        green(Strategy.Type.BLUE_GREEN).shift("IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", 0.0, null),
                        Verdict.IN_PROGRESS, "POST_TEST_TRAFFIC_SHIFT", 0, 0, "blue/green", "POST_TEST_TRAFFIC_SHIFT", "production traffic 0 %"),
                row("canary at its canary share waits, and the share is reported",
                        green(Strategy.Type.CANARY).shift("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", 5.0, null)
                                .hook("PRODUCTION_TRAFFIC_SHIFT", 5, null),
                        Verdict.IN_PROGRESS, "PRODUCTION_TRAFFIC_SHIFT", 5, 5, "canary", "production traffic 5 %"),
                row("linear in its bake: ECS has not finished, so not healthy yet",
                        green(Strategy.Type.LINEAR).shift("IN_PROGRESS", "BAKE_TIME", 100.0, null).hook("POST_PRODUCTION_TRAFFIC_SHIFT", 100, null)
                                .deployments(primary(OURS, REV2, "COMPLETED", 2, 2)),
                        Verdict.IN_PROGRESS, "BAKE_TIME", 100, 100, "BAKE_TIME"),
                row("service deployment SUCCESSFUL, our targets healthy in the alternate group: healthy at 100 %",
                        green(Strategy.Type.BLUE_GREEN).shift("SUCCESSFUL", "CLEAN_UP", null, null)
                                .deployments(primary(OURS, REV2, "COMPLETED", 2, 2)),
                        Verdict.HEALTHY, "CLEAN_UP", 100, 100, "blue/green deployment", "2 targets healthy", "production traffic 100 %"),
                row("successful but a target of ours unhealthy: not yet",
                        green(Strategy.Type.CANARY).shift("SUCCESSFUL", "CLEAN_UP", 100.0, null)
                                .deployments(primary(OURS, REV2, "COMPLETED", 2, 2))
                                .targets(alt("10.0.1.11", "healthy"), alt("10.0.1.12", "unhealthy")),
                        Verdict.IN_PROGRESS, "CLEAN_UP", 100, 100, "10.0.1.12", "unhealthy"),
                row("a failed smoke check at the hook: ECS rolled back, the hook's evidence is the reason",
                        green(Strategy.Type.BLUE_GREEN).shift("ROLLBACK_SUCCESSFUL", "CLEAN_UP", 0.0, "Lifecycle hook failed")
                                .hook("POST_TEST_TRAFFIC_SHIFT", 0, "smoke check through the test listener failed 3 times: GET answered 503"),
                        Verdict.ROLLED_BACK_BY_ECS, "POST_TEST_TRAFFIC_SHIFT", 0, 0, "ROLLBACK_SUCCESSFUL", "Lifecycle hook failed",
                        "lifecycle hook at POST_TEST_TRAFFIC_SHIFT: smoke check", "answered 503", "reached 0 %"),
                row("an alarm in the canary's bake: ECS rolls back, the highest share stays known",
                        green(Strategy.Type.CANARY).shift("ROLLBACK_IN_PROGRESS", "BAKE_TIME", 0.0, "alarms triggered", "web-5xx")
                                .hook("POST_PRODUCTION_TRAFFIC_SHIFT", 100, null),
                        Verdict.ROLLED_BACK_BY_ECS, "POST_PRODUCTION_TRAFFIC_SHIFT", 0, 100, "alarms in ALARM: web-5xx",
                        "reached 100 %"),
                row("rolling: an alarm that turned ALARM after the start fails the rollout",
                        Snapshots.healthy().alarm("web-5xx", "ALARM", STARTED + 30_000),
                        Verdict.FAILED, "COMPLETED", 100, 100, "alarm web-5xx is in ALARM", "Threshold Crossed"),
                row("rolling: an alarm in ALARM since before the start proves nothing about the new revision",
                        Snapshots.healthy().alarm("web-5xx", "ALARM", STARTED - 30_000).alarm("web-latency", "OK", STARTED),
                        Verdict.HEALTHY, "COMPLETED", 100, 100, "2 alarm(s) not in ALARM"),
                row("rolling: an alarm deleted during the run is named as not judged, the others counted",
                        Snapshots.healthy().alarm("web-5xx", "OK", STARTED).missingAlarm("web-latency"),
                        Verdict.HEALTHY, "COMPLETED", 100, 100, "1 alarm(s) not in ALARM, alarm(s) web-latency no longer exist (not judged)"),
                row("blue/green: an alarm during the shift fails it before ECS does",
                        green(Strategy.Type.BLUE_GREEN).shift("IN_PROGRESS", "BAKE_TIME", 100.0, null).alarm("web-5xx", "ALARM", NOW - 5_000),
                        Verdict.FAILED, "BAKE_TIME", 100, 100, "alarm web-5xx is in ALARM"),
                row("rolling: half of the healthy targets are ours: 50 % of the traffic",
                        Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 1, 2))
                                .tasks(Snapshots.running("t-ours-1", OURS, REV2, "10.0.1.11"), Snapshots.running("t-old-1", "ecs-svc/old", REV1, "10.0.1.31"))
                                .targets(target("10.0.1.11", "healthy", null), target("10.0.1.31", "healthy", null)),
                        Verdict.IN_PROGRESS, "IN_PROGRESS", 50, 50, "1/2 tasks"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void verdict(Row row) {
        CheckResult result = RolloutVerdict.judge(row.snapshot().build(), rollout(OURS, REV2), NOW);
        assertEquals(row.verdict(), result.verdict(), result.reason());
        for (String part : row.reasonParts()) {
            assertTrue(result.reason().contains(part), () -> "reason '" + result.reason() + "' lacks '" + part + "'");
        }
        assertEquals(row.stage(), result.stage());
        assertEquals(row.production(), result.productionPercent(), 0.001);
        assertEquals(row.max(), result.maxProductionPercent(), 0.001);
        assertEquals(row.snapshot().strategy.name(), result.strategy());
    }

    @Test
    void aRolledBackShiftIsNeverHealthyEvenWhenEverythingElseLooksGood() {
        CheckResult result = RolloutVerdict.judge(Snapshots.healthy().strategy(Strategy.Type.CANARY)
                .shift("ROLLBACK_SUCCESSFUL", "CLEAN_UP", 100.0, "stop requested").build(), rollout(OURS, REV2), NOW);
        assertEquals(Verdict.ROLLED_BACK_BY_ECS, result.verdict(), result.reason());
    }

    @Test
    void aRollbackEcsWasAskedForIsWaitedForUntilEcsBeginsIt() {
        dev.pushdeploy.model.Rollout back = new dev.pushdeploy.model.Rollout(null, REV1, NOW, NOW + 600_000, true, null);
        Snapshots requested = green(Strategy.Type.CANARY);

        CheckResult waiting = RolloutVerdict.judge(requested.build(), back, REV2, NOW);

        assertEquals(Verdict.IN_PROGRESS, waiting.verdict(), waiting.reason());
        assertTrue(waiting.reason().contains("has not begun the rollback"), waiting.reason());
        CheckResult ours = RolloutVerdict.judge(requested.build(), new dev.pushdeploy.model.Rollout("ecs-svc/old", REV1, NOW,
                NOW + 600_000, true, null), REV2, NOW);
        assertEquals(Verdict.ROLLED_BACK_BY_ECS, ours.verdict(), "a rollback deployment of our own that ECS left is ECS's doing");
    }
}
