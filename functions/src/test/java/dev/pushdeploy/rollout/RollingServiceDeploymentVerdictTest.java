package dev.pushdeploy.rollout;

import static dev.pushdeploy.rollout.Snapshots.OURS;
import static dev.pushdeploy.rollout.Snapshots.REV1;
import static dev.pushdeploy.rollout.Snapshots.REV2;
import static dev.pushdeploy.rollout.Snapshots.ROLLBACK;
import static dev.pushdeploy.rollout.Snapshots.STARTED;
import static dev.pushdeploy.rollout.Snapshots.container;
import static dev.pushdeploy.rollout.Snapshots.deployment;
import static dev.pushdeploy.rollout.Snapshots.primary;
import static dev.pushdeploy.rollout.Snapshots.rollout;
import static dev.pushdeploy.rollout.Snapshots.running;
import static dev.pushdeploy.rollout.Snapshots.stopped;
import static dev.pushdeploy.rollout.Snapshots.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;

import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.model.Verdict;
import dev.pushdeploy.rollout.ServiceDeploymentState.CircuitBreaker;
import dev.pushdeploy.rollout.ServiceDeploymentState.Tasks;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The verdict on a ROLLING rollout judged from ECS's service deployment (DescribeServiceDeployments), the
 * way there and the way back. The values are those the API reference documents: statuses PENDING through
 * ROLLBACK_FAILED, {@code rollback} (reason, the service revision it returns to), the circuit breaker's
 * {@code status} (TRIGGERED, MONITORING, MONITORING_COMPLETE, DISABLED), {@code failureCount} and
 * {@code threshold} (0.5 × desired, at least 3), and a STOPPED status for a deployment that failed without
 * the rollback option. DescribeServices and the task list still give what the service deployment does not
 * say: which tasks are ours, their stop reasons, their target health.
 */
class RollingServiceDeploymentVerdictTest {
    private static final long NOW = STARTED + 120_000;
    private static final Rollout FORWARD = rollout(OURS, REV2);
    /** The way back after ECS's circuit breaker: the rollback records the service deployment that reports it. */
    private static final Rollout BACK = new Rollout(ROLLBACK, REV1, NOW - 30_000, NOW + 600_000, false, Snapshots.ROLLING_DEPLOYMENT);
    private static final CircuitBreaker DISABLED = new CircuitBreaker("DISABLED", 0, 3);
    private static final String BREAKER_REASON = "ECS deployment circuit breaker: rolling back to deploymentId " + ROLLBACK + ".";

    record Row(Snapshots snapshot, Rollout rollout, String fallback, Verdict verdict, List<String> reasonParts) {
    }

    private static Arguments forward(String name, Snapshots snapshot, Verdict verdict, String... parts) {
        return Arguments.of(named(name, new Row(snapshot, FORWARD, REV1, verdict, List.of(parts))));
    }

    private static Arguments back(String name, Snapshots snapshot, Verdict verdict, String... parts) {
        return Arguments.of(named(name, new Row(snapshot, BACK, REV2, verdict, List.of(parts))));
    }

    /** Revision 1's tasks of ECS's rollback deployment, running and registered. */
    private static Snapshots onTheWayBack(String rollbackState, int running) {
        Snapshots s = Snapshots.healthy().service(REV1).deployments(primary(ROLLBACK, REV1, rollbackState, running, 2),
                deployment(OURS, "ACTIVE", REV2, "FAILED", "ECS deployment circuit breaker: tasks failed to start.", 0, 2, 3));
        s.tasks(running("t-back-1", ROLLBACK, REV1, "10.0.1.21"), running("t-back-2", ROLLBACK, REV1, "10.0.1.22"),
                stopped("t-ours-1", OURS, REV2, "EssentialContainerExited", "Essential container in task exited", container("app", 1, null)));
        return s.targets(target("10.0.1.21", "healthy", null), target("10.0.1.22", running == 2 ? "healthy" : "initial", null));
    }

    static Stream<Arguments> table() {
        return Stream.of(
                forward("PENDING right after UpdateService (the API reference's first example): waits, says so",
                        Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 0, 2))
                                .rolling("PENDING", null, REV2, null, null, DISABLED, new Tasks(0, 0, 0)),
                        Verdict.IN_PROGRESS, "ECS's service deployment of web:2 is PENDING: 0/0 tasks running, 0 pending"),
                forward("IN_PROGRESS with one failed task under the breaker's threshold: waits, counts reported",
                        Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 1, 2))
                                .rolling("IN_PROGRESS", null, REV2, null, null, new CircuitBreaker("MONITORING", 1, 3), new Tasks(2, 1, 1)),
                        Verdict.IN_PROGRESS, "is IN_PROGRESS: 1/2 tasks running, 1 pending", "circuit breaker MONITORING: 1 failed task(s) of 3"),
                forward("SUCCESSFUL, targets healthy: healthy, though DescribeServices still says IN_PROGRESS",
                        Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 2, 2))
                                .rolling("SUCCESSFUL", null, REV2, null, null, new CircuitBreaker("MONITORING_COMPLETE", 0, 3), new Tasks(2, 2, 0)),
                        Verdict.HEALTHY, "(service deployment SUCCESSFUL)", "2/2 tasks running", "2 targets healthy"),
                forward("SUCCESSFUL but a target of ours unhealthy: the verdict still checks target health",
                        Snapshots.healthy().targets(target("10.0.1.11", "healthy", null), target("10.0.1.12", "unhealthy", "Target.ResponseCodeMismatch"))
                                .rolling("SUCCESSFUL", null, REV2, null, null, new CircuitBreaker("MONITORING_COMPLETE", 0, 3), new Tasks(2, 2, 0)),
                        Verdict.IN_PROGRESS, "target 10.0.1.12:8080 is unhealthy (Target.ResponseCodeMismatch)"),
                forward("SUCCESSFUL but the smoke check fails: not healthy",
                        Snapshots.healthy().smoke(false, "GET https://web/ answered 503 (expected 200)")
                                .rolling("SUCCESSFUL", null, REV2, null, null, DISABLED, new Tasks(2, 2, 0)),
                        Verdict.IN_PROGRESS, "smoke check failing: GET https://web/ answered 503"),
                forward("DescribeServices says COMPLETED, the service deployment not yet: ECS's service deployment decides",
                        Snapshots.healthy().rolling("IN_PROGRESS", null, REV2, null, null, new CircuitBreaker("MONITORING", 0, 3), new Tasks(2, 2, 0)),
                        Verdict.IN_PROGRESS, "ECS's service deployment of web:2 is IN_PROGRESS"),
                forward("DescribeServices says FAILED, the service deployment still IN_PROGRESS: it decides, not rolloutState",
                        Snapshots.healthy().deployments(deployment(OURS, "PRIMARY", REV2, "FAILED", "ECS deployment circuit breaker: tasks failed to start.", 0, 2, 3))
                                .tasks().targets()
                                .rolling("IN_PROGRESS", null, REV2, null, null, new CircuitBreaker("MONITORING", 2, 3), new Tasks(2, 0, 0)),
                        Verdict.IN_PROGRESS, "circuit breaker MONITORING: 2 failed task(s) of 3"),
                forward("the circuit breaker rolls back: ROLLBACK_IN_PROGRESS, rollback reason and target, failure count",
                        onTheWayBack("IN_PROGRESS", 1)
                                .rolling("ROLLBACK_IN_PROGRESS", "Circuit breaker triggered: rolling back to the last completed deployment.", REV2,
                                        "Circuit breaker triggered: rolling back to the last completed deployment.", REV1,
                                        new CircuitBreaker("TRIGGERED", 3, 3), new Tasks(0, 0, 0)),
                        Verdict.ROLLED_BACK_BY_ECS, "ECS rolled the rolling deployment of web:2 back (ROLLBACK_IN_PROGRESS)",
                        "Circuit breaker triggered", "back to web:1", "circuit breaker TRIGGERED: 3 failed task(s), threshold 3"),
                forward("an alarm rolled it back: ROLLBACK_SUCCESSFUL names the alarm, even with every target healthy",
                        Snapshots.healthy().rolling("ROLLBACK_SUCCESSFUL", null, REV2, "Alarm web-5xx is in ALARM state.", REV1, DISABLED,
                                new Tasks(0, 0, 0), "web-5xx"),
                        Verdict.ROLLED_BACK_BY_ECS, "(ROLLBACK_SUCCESSFUL)", "alarms in ALARM: web-5xx"),
                forward("circuit breaker without the rollback option: STOPPED fails the rollout",
                        Snapshots.healthy().deployments(deployment(OURS, "PRIMARY", REV2, "FAILED", "ECS deployment circuit breaker: tasks failed to start.", 0, 0, 3))
                                .tasks().targets()
                                .rolling("STOPPED", "ECS deployment circuit breaker: tasks failed to start.", REV2, null, null,
                                        new CircuitBreaker("TRIGGERED", 3, 3), new Tasks(0, 0, 0)),
                        Verdict.FAILED, "ECS stopped the rolling deployment of web:2 (STOPPED): ECS deployment circuit breaker",
                        "circuit breaker TRIGGERED: 3 failed task(s), threshold 3"),
                forward("a deterministic stop of ours fails it at once, whatever the service deployment still says",
                        Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 0, 2))
                                .tasks(stopped("t-ours-1", OURS, REV2, "TaskFailedToStart",
                                        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref: not found"))
                                .targets()
                                .rolling("IN_PROGRESS", null, REV2, null, null, new CircuitBreaker("MONITORING", 1, 3), new Tasks(2, 0, 1)),
                        Verdict.FAILED, "image not found", "t-ours-1"),
                forward("someone else deployed web:7: our service deployment STOPPED, the run leaves the service alone",
                        Snapshots.healthy().service(REV2.replace("web:2", "web:7")).deployments(
                                        primary("ecs-svc/9990001112223334445", REV2.replace("web:2", "web:7"), "IN_PROGRESS", 1, 2),
                                        deployment(OURS, "ACTIVE", REV2, "IN_PROGRESS", null, 2, 2, 0))
                                .rolling("STOPPED", "ECS stopped the service deployment: a newer one started.", REV2, null, null,
                                        DISABLED, new Tasks(0, 2, 0)),
                        Verdict.INTERRUPTED, "web:7", "someone else deployed"),
                forward("someone moved the service back to web:1 by hand: our service deployment STOPPED, not ECS's rollback",
                        Snapshots.healthy().service(REV1).deployments(
                                        primary("ecs-svc/9990001112223334445", REV1, "IN_PROGRESS", 1, 2),
                                        deployment(OURS, "ACTIVE", REV2, "IN_PROGRESS", null, 1, 2, 0))
                                .rolling("STOPPED", "ECS stopped the service deployment: a newer one started.", REV2, null, null,
                                        DISABLED, new Tasks(0, 1, 0)),
                        Verdict.ROLLED_BACK_BY_ECS, "the service was moved back to web:1 by deployment ecs-svc/9990001112223334445",
                        "not by ECS's rollback", "ECS stopped the rolling deployment of web:2 (STOPPED)"),

                back("the way back while ECS's rollback runs: waits for it",
                        onTheWayBack("IN_PROGRESS", 1)
                                .rolling("ROLLBACK_IN_PROGRESS", null, REV2, BREAKER_REASON, REV1, new CircuitBreaker("TRIGGERED", 3, 3), new Tasks(0, 0, 0)),
                        Verdict.IN_PROGRESS, "ECS is rolling service deployment NCWGC2ZR-taawPAYrIaU5 back to web:1 (ROLLBACK_IN_PROGRESS)"),
                back("the way back done: ROLLBACK_SUCCESSFUL and revision 1's targets healthy",
                        onTheWayBack("COMPLETED", 2)
                                .rolling("ROLLBACK_SUCCESSFUL", null, REV2, BREAKER_REASON, REV1, new CircuitBreaker("TRIGGERED", 3, 3), new Tasks(0, 0, 0)),
                        Verdict.HEALTHY, ROLLBACK, "(service deployment ROLLBACK_SUCCESSFUL)", "2 targets healthy"),
                back("the way back failed: ROLLBACK_FAILED",
                        onTheWayBack("FAILED", 0)
                                .rolling("ROLLBACK_FAILED", "ECS deployment circuit breaker: tasks failed to start.", REV2, BREAKER_REASON, REV1,
                                        new CircuitBreaker("TRIGGERED", 3, 3), new Tasks(0, 0, 0)),
                        Verdict.FAILED, "ECS's rollback to web:1 failed (ROLLBACK_FAILED)"),
                back("the way back by our own UpdateService: its own service deployment, SUCCESSFUL",
                        onTheWayBack("COMPLETED", 2).rolling("SUCCESSFUL", null, REV1, null, null, DISABLED, new Tasks(2, 2, 0)),
                        Verdict.HEALTHY, "(service deployment SUCCESSFUL)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void verdict(Row row) {
        CheckResult result = RolloutVerdict.judge(row.snapshot().build(), row.rollout(), row.fallback(), NOW);
        assertEquals(row.verdict(), result.verdict(), result.reason());
        for (String part : row.reasonParts()) {
            assertTrue(result.reason().contains(part), () -> "reason '" + result.reason() + "' lacks '" + part + "'");
        }
        assertEquals("ROLLING", result.strategy());
    }
}
