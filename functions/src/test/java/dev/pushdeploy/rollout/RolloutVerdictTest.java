package dev.pushdeploy.rollout;

import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.model.Verdict;
import static dev.pushdeploy.rollout.Snapshots.DEADLINE;
import static dev.pushdeploy.rollout.Snapshots.OLD;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RolloutVerdictTest {
    private static final long EARLY = STARTED + 20_000;
    private static final long LATE = DEADLINE + 1_000;

    /** One table row: a snapshot seen at {@code now} for a rollout, and what the verdict must be. */
    record Row(Snapshots snapshot, Rollout rollout, long now, Verdict verdict, List<String> reasonParts) {
    }

    private static Arguments row(String name, Snapshots snapshot, Verdict verdict, String... reasonParts) {
        return row(name, snapshot, rollout(OURS, REV2), EARLY, verdict, reasonParts);
    }

    private static Arguments row(String name, Snapshots snapshot, Rollout rollout, long now, Verdict verdict,
                                 String... reasonParts) {
        return Arguments.of(named(name, new Row(snapshot, rollout, now, verdict, List.of(reasonParts))));
    }

    private static Rollout toZero(String deploymentId, String taskDefinition) {
        Rollout r = rollout(deploymentId, taskDefinition);
        return new Rollout(r.deploymentId(), r.taskDefinition(), r.startedAt(), r.deadlineAt(), r.started(), null, 0);
    }

    static Stream<Arguments> table() {
        return Stream.of(
                row("our PRIMARY, COMPLETED, 2/2, targets healthy", Snapshots.healthy(), Verdict.HEALTHY,
                        OURS, "COMPLETED", "2/2 tasks running", "2 targets healthy"),
                row("healthy and the smoke check passes", Snapshots.healthy().smoke(true, "GET https://web/ answered 200 (expected 200)"),
                        Verdict.HEALTHY, "smoke check: GET https://web/ answered 200"),
                row("healthy without a load balancer", Snapshots.healthy().noTargetGroups(), Verdict.HEALTHY, "2/2 tasks running"),
                row("healthy past the deadline is still healthy", Snapshots.healthy(), rollout(OURS, REV2), LATE,
                        Verdict.HEALTHY, OURS),
                row("deployment id unknown (emulator): ours found by revision", Snapshots.healthy(), rollout(null, REV2),
                        EARLY, Verdict.HEALTHY, OURS),

                row("circuit breaker rolled back: ours ACTIVE FAILED, PRIMARY on web:1",
                        Snapshots.healthy().service(REV1).deployments(
                                primary(ROLLBACK, REV1, "IN_PROGRESS", 1, 2),
                                deployment(OURS, "ACTIVE", REV2, "FAILED",
                                        "ECS deployment circuit breaker: tasks failed to start.", 0, 2, 3))
                                .event("(service web) (deployment " + OURS + ") deployment failed: tasks failed to start."),
                        Verdict.ROLLED_BACK_BY_ECS, OURS, ROLLBACK, "web:1", "circuit breaker", "last event: (service web) (deployment"),
                row("rolled back although our tasks and targets look healthy",
                        Snapshots.healthy().service(REV1).deployments(
                                primary(ROLLBACK, REV1, "IN_PROGRESS", 2, 2),
                                deployment(OURS, "ACTIVE", REV2, "COMPLETED", null, 2, 2, 0)),
                        Verdict.ROLLED_BACK_BY_ECS, "back to " + ROLLBACK),
                row("rolled back, our deployment already gone, service back on web:1",
                        Snapshots.healthy().service(REV1).deployments(primary(ROLLBACK, REV1, "COMPLETED", 2, 2)),
                        Verdict.ROLLED_BACK_BY_ECS, "back on web:1", "no deployment of web:2 remains"),
                row("rolled back, simulator left service.taskDefinition on ours",
                        Snapshots.healthy().deployments(
                                primary(ROLLBACK, REV1, "IN_PROGRESS", 0, 2),
                                deployment(OURS, "ACTIVE", REV2, "FAILED", "circuit breaker", 0, 2, 3)),
                        Verdict.ROLLED_BACK_BY_ECS, OURS),

                row("rolloutState FAILED while still PRIMARY",
                        Snapshots.healthy().deployments(deployment(OURS, "PRIMARY", REV2, "FAILED",
                                "ECS deployment circuit breaker: tasks failed to start.", 0, 2, 3)),
                        Verdict.FAILED, "deployment " + OURS, "failed: ECS deployment circuit breaker", "3 failed tasks"),
                row("stopped task of ours: CannotPullContainerError",
                        Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 0, 2))
                                .tasks(stopped("t-pull", OURS, REV2, "TaskFailedToStart",
                                        "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
                                                + "failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:ab: not found",
                                        container("app", null, "CannotPullContainerError: pull image manifest has been retried"))),
                        Verdict.FAILED, "task t-pull", "web:2", "TaskFailedToStart", "CannotPullContainerError", "container app"),
                row("stopped task of ours: ResourceInitializationError (secrets)",
                        Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 1, 2))
                                .addTask(stopped("t-init", OURS, REV2, "TaskFailedToStart",
                                        "ResourceInitializationError: unable to pull secrets or registry auth: "
                                                + "unable to retrieve secret from ssm: AccessDeniedException",
                                        container("app", null, null))),
                        Verdict.FAILED, "task t-init", "ResourceInitializationError", "unable to pull secrets"),
                row("one essential container exit is not yet conclusive",
                        Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 1, 2))
                                .addTask(stopped("t-crash", OURS, REV2, "EssentialContainerExited",
                                        "Essential container in task exited", container("app", 1, null))),
                        Verdict.IN_PROGRESS, "1/2 tasks of web:2 running", "not yet conclusive (exited)", "task t-crash",
                        "container app exit code 1"),
                row("one crash listed twice (by the RUNNING listing, then the STOPPED one) is one task's exit",
                        Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 1, 2))
                                .addTask(stopped("t-crash", OURS, REV2, "EssentialContainerExited",
                                        "Essential container in task exited", container("app", 1, null)))
                                .addTask(stopped("t-crash", OURS, REV2, "EssentialContainerExited",
                                        "Essential container in task exited", container("app", 1, null))),
                        Verdict.IN_PROGRESS, "not yet conclusive (exited)", "task t-crash"),
                row("the essential container exiting in two tasks fails the rollout",
                        Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 1, 2))
                                .addTask(stopped("t-crash", OURS, REV2, "EssentialContainerExited",
                                        "Essential container in task exited", container("app", 1, null)))
                                .addTask(stopped("t-quit", OURS, REV2, "EssentialContainerExited",
                                        "Essential container in task exited", container("app", 0, null))),
                        Verdict.FAILED, "2 tasks of web:2 exited (repeated", "task t-crash", "exit code 1", "task t-quit",
                        "exit code 0", "EssentialContainerExited"),
                row("non-zero exits without a stop code count as exits",
                        Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 0, 2))
                                .tasks(stopped("t-oom-1", OURS, REV2, null, null, container("app", 137, "OutOfMemoryError: Container killed due to memory usage")),
                                        stopped("t-oom-2", OURS, REV2, null, null, container("app", 137, "OutOfMemoryError: Container killed due to memory usage"))),
                        Verdict.FAILED, "2 tasks of web:2 exited", "OutOfMemoryError"),
                row("an earlier crash beside a COMPLETED, healthy rollout is healthy",
                        Snapshots.healthy().addTask(stopped("t-crash", OURS, REV2, "EssentialContainerExited",
                                "Essential container in task exited", container("app", 1, null))),
                        Verdict.HEALTHY, "COMPLETED"),
                row("deterministic evidence wins over healthy-looking counts",
                        Snapshots.healthy().addTask(stopped("t-gone", OURS, REV2, "TaskFailedToStart",
                                "CannotPullContainerError: pull image manifest has been retried 5 time(s): manifest unknown",
                                container("app", null, null))),
                        Verdict.FAILED, "image not found (\"CannotPullContainerError … manifest unknown\"): task t-gone"),
                row("one transient pull failure (registry 503) while starting is not conclusive",
                        Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 1, 2))
                                .addTask(stopped("t-503", OURS, REV2, "TaskFailedToStart",
                                        "CannotPullContainerError: ref pull has been retried 5 time(s): failed to copy: httpReadSeeker: "
                                                + "failed open: unexpected status code https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/web/blobs/sha256:ab: 503 Service Unavailable",
                                        container("app", null, null))),
                        Verdict.IN_PROGRESS, "not yet conclusive (failed to start)", "503 Service Unavailable"),
                row("one transient pull failure before a COMPLETED, healthy rollout is healthy",
                        Snapshots.healthy().addTask(stopped("t-timeout", OURS, REV2, "TaskFailedToStart",
                                "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref "
                                        + "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:ab: failed to do request: Head "
                                        + "\"https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/web/manifests/sha256:ab\": dial tcp 10.0.3.17:443: i/o timeout",
                                container("app", null, null))),
                        Verdict.HEALTHY, "COMPLETED", "2 targets healthy"),
                row("three transient start failures fail the rollout",
                        Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 0, 2)).tasks(
                                stopped("t-1", OURS, REV2, "TaskFailedToStart", "CannotPullContainerError: dial tcp 10.0.3.17:443: i/o timeout"),
                                stopped("t-2", OURS, REV2, "TaskFailedToStart", "Timeout waiting for network interface provisioning to complete."),
                                stopped("t-3", OURS, REV2, "TaskFailedToStart", "CannotPullContainerError: dial tcp 10.0.3.17:443: i/o timeout")),
                        Verdict.FAILED, "3 tasks of web:2 failed to start (repeated: 3", "task t-1", "task t-2", "task t-3"),
                row("CannotCreateVolumeError waits for the circuit breaker, however often",
                        Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 0, 2)).tasks(
                                stopped("t-v1", OURS, REV2, "TaskFailedToStart", "CannotCreateVolumeError: efs: mount failed: connection timed out"),
                                stopped("t-v2", OURS, REV2, "TaskFailedToStart", "CannotCreateVolumeError: efs: mount failed: connection timed out"),
                                stopped("t-v3", OURS, REV2, "TaskFailedToStart", "CannotCreateVolumeError: efs: mount failed: connection timed out")),
                        Verdict.IN_PROGRESS, "the circuit breaker decides", "CannotCreateVolumeError"),
                row("Fargate's older secret wording fails fast",
                        Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 1, 2))
                                .addTask(stopped("t-asm", OURS, REV2, "TaskFailedToStart",
                                        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource "
                                                + "retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): "
                                                + "RequestCanceled: request context canceled caused by: context deadline exceeded")),
                        Verdict.FAILED, "secrets could not be retrieved (ECS already retried) (\"ResourceInitializationError … unable to retrieve secret from asm\"): task t-asm", "unable to retrieve secret from asm"),
                row("scheduler stopped a task of ours (ELB health check, exit 137): not a fast failure",
                        Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 1, 2))
                                .addTask(stopped("t-elb", OURS, REV2, "ServiceSchedulerInitiated",
                                        "Task failed ELB health checks in (target-group web)", container("app", 137, null))),
                        Verdict.IN_PROGRESS, "1/2 tasks of web:2 running"),
                row("a crashed task of the OLD deployment is not ours",
                        Snapshots.healthy().addTask(stopped("t-old-crash", OLD, REV1, "EssentialContainerExited",
                                "Essential container in task exited", container("app", 1, null))),
                        Verdict.HEALTHY, OURS),
                row("running < desired", Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 1, 2))
                                .tasks(running("t-ours-1", OURS, REV2, "10.0.1.11")),
                        Verdict.IN_PROGRESS, "1/2 tasks of web:2 running", "1 pending"),
                row("0/0 tasks is not healthy: the service was scaled to 0 during the rollout",
                        Snapshots.healthy().deployments(primary(OURS, REV2, "COMPLETED", 0, 0)).tasks().targets(),
                        Verdict.FAILED, "scaled to 0 tasks during the rollout", OURS, "(web:2) wants 0"),
                row("scaled to 0, as the service says too", Snapshots.healthy().deployments(primary(OURS, REV2, "COMPLETED", 0, 0))
                                .serviceDesired(0).tasks().targets(),
                        Verdict.FAILED, "scaled to 0 tasks during the rollout"),
                row("a deployment of ours at 0 while the service still wants 2 is waited on",
                        Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 0, 0)).serviceDesired(2).tasks().targets(),
                        Verdict.IN_PROGRESS, "wants 0 tasks"),
                row("scaled to 0 while tasks of ours still stop",
                        Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 1, 0))
                                .tasks(running("t-ours-1", OURS, REV2, "10.0.1.11")).targets(target("10.0.1.11", "draining", null)),
                        Verdict.FAILED, "scaled to 0 tasks during the rollout"),
                row("the way back to 0 tasks (a first release undone): 0/0 is healthy",
                        Snapshots.healthy().service(REV1).deployments(primary(ROLLBACK, REV1, "COMPLETED", 0, 0)).tasks().targets(),
                        toZero(ROLLBACK, REV1), EARLY, Verdict.HEALTHY, ROLLBACK, "web:1", "0/0 tasks", "the service runs nothing"),
                row("the way back to 0 tasks: ECS's rollback to the bootstrap revision FAILED, nothing runs",
                        Snapshots.healthy().service(REV1).deployments(primary(ROLLBACK, REV1, "FAILED", 0, 0),
                                        deployment(OURS, "ACTIVE", REV2, "FAILED", "circuit breaker", 0, 0, 3))
                                .tasks(stopped("t-pull", ROLLBACK, REV1, "TaskFailedToStart", "CannotPullContainerError: web:bootstrap: not found",
                                        container("app", null, "CannotPullContainerError")))
                                .targets(),
                        toZero(ROLLBACK, REV1), EARLY, Verdict.HEALTHY, "0/0 tasks", "FAILED", "the service runs nothing"),
                row("the way back to 0 tasks with a task of the failed release still running",
                        Snapshots.healthy().service(REV1).deployments(primary(ROLLBACK, REV1, "COMPLETED", 0, 0),
                                        deployment(OURS, "ACTIVE", REV2, "FAILED", "circuit breaker", 1, 0, 3))
                                .tasks(running("t-ours-1", OURS, REV2, "10.0.1.11")).targets(target("10.0.1.11", "draining", null)),
                        toZero(ROLLBACK, REV1), EARLY, Verdict.IN_PROGRESS, "the way back to no task: 1 task(s) of the service still running"),
                row("the way back to 0 tasks: a bootstrap task that cannot pull its image is no failure, it is waited out",
                        Snapshots.healthy().service(REV1).deployments(primary(ROLLBACK, REV1, "FAILED", 0, 0),
                                        deployment(OURS, "ACTIVE", REV2, "FAILED", "circuit breaker", 0, 0, 3))
                                .tasks(stopped("t-pull-1", ROLLBACK, REV1, "TaskFailedToStart", "CannotPullContainerError: web:bootstrap: not found",
                                                container("app", null, "CannotPullContainerError")),
                                        stopped("t-pull-2", ROLLBACK, REV1, "TaskFailedToStart", "CannotPullContainerError: web:bootstrap: not found",
                                                container("app", null, "CannotPullContainerError")),
                                        running("t-pull-3", ROLLBACK, REV1, "10.0.1.23"))
                                .targets(),
                        toZero(ROLLBACK, REV1), EARLY, Verdict.IN_PROGRESS, "1 task(s) of the service still running"),
                row("the way back to 0 tasks past its deadline is TIMED_OUT",
                        Snapshots.healthy().service(REV1).deployments(primary(ROLLBACK, REV1, "IN_PROGRESS", 2, 2))
                                .tasks(running("t-back-1", ROLLBACK, REV1, "10.0.1.21")),
                        toZero(ROLLBACK, REV1), LATE, Verdict.TIMED_OUT, "the way back asked for 0"),
                row("the way back to 0 tasks while ECS still wants the failed count",
                        Snapshots.healthy().service(REV1).deployments(primary(ROLLBACK, REV1, "IN_PROGRESS", 2, 2))
                                .tasks(running("t-back-1", ROLLBACK, REV1, "10.0.1.21"), running("t-back-2", ROLLBACK, REV1, "10.0.1.22"))
                                .targets(target("10.0.1.21", "healthy", null), target("10.0.1.22", "healthy", null)),
                        toZero(ROLLBACK, REV1), EARLY, Verdict.IN_PROGRESS, "wants 2 tasks; the way back asked for 0"),
                row("the way back to 0 tasks with one still stopping",
                        Snapshots.healthy().service(REV1).deployments(primary(ROLLBACK, REV1, "IN_PROGRESS", 1, 0))
                                .tasks(running("t-back-1", ROLLBACK, REV1, "10.0.1.21")).targets(target("10.0.1.21", "draining", null)),
                        toZero(ROLLBACK, REV1), EARLY, Verdict.IN_PROGRESS, "1 task(s) of the service still running"),
                row("a target of ours unhealthy",
                        Snapshots.healthy().targets(target("10.0.1.11", "healthy", null),
                                target("10.0.1.12", "unhealthy", "Target.FailedHealthChecks")),
                        Verdict.IN_PROGRESS, "target 10.0.1.12:8080 is unhealthy (Target.FailedHealthChecks) in target group web"),
                row("a target of ours still initial",
                        Snapshots.healthy().targets(target("10.0.1.11", "initial", "Elb.RegistrationInProgress"),
                                target("10.0.1.12", "healthy", null)),
                        Verdict.IN_PROGRESS, "10.0.1.11:8080 is initial"),
                row("a target of ours draining",
                        Snapshots.healthy().targets(target("10.0.1.11", "healthy", null),
                                target("10.0.1.12", "draining", "Target.DeregistrationInProgress")),
                        Verdict.IN_PROGRESS, "10.0.1.12:8080 is draining"),
                row("a task of ours not registered yet",
                        Snapshots.healthy().targets(target("10.0.1.11", "healthy", null)),
                        Verdict.IN_PROGRESS, "1/2 targets of web:2 healthy in target group web"),
                row("healthy targets of the OLD tasks do not count",
                        Snapshots.healthy().targets(target("10.0.1.91", "healthy", null), target("10.0.1.92", "healthy", null)),
                        Verdict.IN_PROGRESS, "0/2 targets of web:2 healthy"),
                row("all running and healthy but rollout not COMPLETED yet",
                        Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 2, 2)),
                        Verdict.IN_PROGRESS, "rollout of web:2 is IN_PROGRESS"),
                row("smoke check failing keeps it IN_PROGRESS",
                        Snapshots.healthy().smoke(false, "GET https://web/ answered 503 (expected 200)"),
                        Verdict.IN_PROGRESS, "smoke check failing: GET https://web/ answered 503"),
                row("emulator: no deployment of ours, service set to ours",
                        Snapshots.healthy().deployments(primary(OLD, REV1, "IN_PROGRESS", 0, 2)).tasks().targets(),
                        rollout(null, REV2), EARLY, Verdict.IN_PROGRESS, "no ECS deployment of web:2 is visible yet"),

                row("smoke check failing past the deadline",
                        Snapshots.healthy().smoke(false, "GET https://web/ failed: ConnectException"),
                        rollout(OURS, REV2), LATE, Verdict.TIMED_OUT, "deadline passed", "600 s", "smoke check failing"),
                row("running < desired past the deadline",
                        Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 0, 2)).tasks(),
                        rollout(OURS, REV2), LATE, Verdict.TIMED_OUT, "0/2 tasks of web:2 running"),
                row("emulator past the deadline",
                        Snapshots.healthy().deployments(primary(OLD, REV1, "IN_PROGRESS", 0, 2)).tasks().targets(),
                        rollout(null, REV2), DEADLINE, Verdict.TIMED_OUT, "no ECS deployment of web:2"),

                row("rollback check: back on web:1 and healthy",
                        Snapshots.healthy().service(REV1).deployments(
                                        primary(ROLLBACK, REV1, "COMPLETED", 2, 2),
                                        deployment(OURS, "ACTIVE", REV2, "FAILED", "circuit breaker", 0, 0, 3))
                                .tasks(running("t-back-1", ROLLBACK, REV1, "10.0.1.21"), running("t-back-2", ROLLBACK, REV1, "10.0.1.22"))
                                .targets(target("10.0.1.21", "healthy", null), target("10.0.1.22", "healthy", null)),
                        rollout(ROLLBACK, REV1), EARLY, Verdict.HEALTHY, ROLLBACK, "web:1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void verdict(Row row) {
        CheckResult result = RolloutVerdict.judge(row.snapshot().build(), row.rollout(), row.now());
        assertEquals(row.verdict(), result.verdict(), result.reason());
        for (String part : row.reasonParts()) {
            assertTrue(result.reason().contains(part), () -> "reason '" + result.reason() + "' lacks '" + part + "'");
        }
        if (row.verdict() == Verdict.IN_PROGRESS) {
            assertTrue(result.nextPollSeconds() >= 1 && result.nextPollSeconds() <= PollInterval.MAX_SECONDS,
                    "poll " + result.nextPollSeconds());
        } else {
            assertEquals(0, result.nextPollSeconds());
        }
    }

    @Test
    void acceptorsAreDecisionsAndDeterministicEvidenceThenSuccessThenRepetitionThenRetry() {
        List<Verdict> order = RolloutVerdict.ACCEPTORS.stream().map(RolloutVerdict.Acceptor::verdict).toList();
        assertEquals(List.of(Verdict.INTERRUPTED, Verdict.HEALTHY, Verdict.ROLLED_BACK_BY_ECS, Verdict.ROLLED_BACK_BY_ECS, Verdict.FAILED, Verdict.FAILED,
                Verdict.FAILED, Verdict.FAILED, Verdict.FAILED, Verdict.HEALTHY, Verdict.FAILED, Verdict.IN_PROGRESS), order);
    }

    /** Issue 8, case 7: a change made by hand during the rollout is not read as ECS rolling back. */
    @Test
    void aThirdRevisionIsSomeoneElsesDeploymentNotARollbackByEcs() {
        String theirs = REV2.replace("web:2", "web:7");
        String manual = "ecs-svc/9990001112223334445";
        Snapshots moved = Snapshots.healthy().service(theirs).deployments(
                primary(manual, theirs, "IN_PROGRESS", 1, 2),
                deployment(OURS, "ACTIVE", REV2, "IN_PROGRESS", null, 1, 2, 0));

        CheckResult interrupted = RolloutVerdict.judge(moved.build(), rollout(OURS, REV2), REV1, EARLY);
        assertEquals(Verdict.INTERRUPTED, interrupted.verdict());
        assertEquals("the service was moved to web:7 by deployment " + manual + ", which is neither web:2 nor web:1: someone else "
                + "deployed; the service is left as it is", interrupted.reason());

        Snapshots byEcs = Snapshots.healthy().service(REV1).deployments(primary(ROLLBACK, REV1, "IN_PROGRESS", 1, 2),
                deployment(OURS, "ACTIVE", REV2, "FAILED", "circuit breaker", 0, 2, 3));
        assertEquals(Verdict.ROLLED_BACK_BY_ECS, RolloutVerdict.judge(byEcs.build(), rollout(OURS, REV2), REV1, EARLY).verdict());
        assertEquals(Verdict.ROLLED_BACK_BY_ECS, RolloutVerdict.judge(moved.build(), rollout(OURS, REV2), EARLY).verdict(),
                "without a known fallback any other revision reads as ECS's rollback");
    }

    @Test
    void countsComeFromOurDeployment() {
        CheckResult result = RolloutVerdict.judge(Snapshots.healthy()
                        .deployments(deployment(OURS, "PRIMARY", REV2, "IN_PROGRESS", null, 1, 3, 2),
                                deployment(OLD, "ACTIVE", REV1, "COMPLETED", null, 3, 3, 0)).build(),
                rollout(OURS, REV2), EARLY);
        assertEquals(List.of(1, 3, 2), List.of(result.running(), result.desired(), result.failedTasks()));
        assertTrue(result.reason().contains("2 failed so far"), result.reason());
    }

    @Test
    void pollsFastEarlySlowerLaterAndFastWhenSettling() {
        Snapshots starting = Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 0, 4)).tasks();
        int early = RolloutVerdict.judge(starting.build(), rollout(OURS, REV2), STARTED + 10_000).nextPollSeconds();
        int later = RolloutVerdict.judge(starting.build(), rollout(OURS, REV2), STARTED + 400_000).nextPollSeconds();
        Snapshots settling = Snapshots.healthy().deployments(primary(OURS, REV2, "IN_PROGRESS", 2, 2));
        int settled = RolloutVerdict.judge(settling.build(), rollout(OURS, REV2), STARTED + 400_000).nextPollSeconds();
        assertEquals(PollInterval.MIN_SECONDS, early);
        assertEquals(PollInterval.MAX_SECONDS, later);
        assertEquals(PollInterval.SETTLING_SECONDS, settled);
    }

    @Test
    void rolledBackIsNeverHealthyWhateverElseLooksGood() {
        Snapshots s = Snapshots.healthy().smoke(true, "GET https://web/ answered 200 (expected 200)").service(REV1)
                .deployments(primary(ROLLBACK, REV1, "COMPLETED", 2, 2), deployment(OURS, "ACTIVE", REV2, "COMPLETED", null, 2, 2, 0));
        for (long now : new long[] {EARLY, LATE}) {
            assertNotEquals(Verdict.HEALTHY, RolloutVerdict.judge(s.build(), rollout(OURS, REV2), now).verdict());
            assertNotEquals(Verdict.HEALTHY, RolloutVerdict.judge(s.build(), rollout(null, REV2), now).verdict());
        }
    }

    @Test
    void aServiceThatCouldNotBeObservedIsInProgressUntilTheDeadlineThenTimedOut() {
        String throttled = "ecs:ListTasks pushdeploy/web RUNNING failed transiently: ThrottlingException: Rate exceeded";
        CheckResult before = RolloutVerdict.unobserved(rollout(OURS, REV2), throttled, DEADLINE - 1);
        CheckResult at = RolloutVerdict.unobserved(rollout(OURS, REV2), throttled, DEADLINE);
        assertEquals(Verdict.IN_PROGRESS, before.verdict());
        assertTrue(before.reason().contains(throttled), before.reason());
        assertTrue(before.nextPollSeconds() > 0);
        assertEquals(Verdict.TIMED_OUT, at.verdict());
        assertTrue(at.reason().startsWith("not healthy 600 s after the start (deadline passed): the service could not be observed: "
                + throttled), at.reason());
        assertTrue(RolloutVerdict.unobserved(rollout(OURS, REV2), "x".repeat(10_000), EARLY).reason().length()
                <= RolloutVerdict.MAX_REASON + 1);
    }

    @Test
    void reasonsAreBounded() {
        String huge = "CannotPullContainerError: manifest unknown " + "x".repeat(10_000);
        Snapshots s = Snapshots.healthy().addTask(stopped("t-huge", OURS, REV2, "TaskFailedToStart", huge,
                container("app", null, huge), container("sidecar", null, huge)));
        CheckResult result = RolloutVerdict.judge(s.build(), rollout(OURS, REV2), EARLY);
        assertEquals(Verdict.FAILED, result.verdict());
        assertTrue(result.reason().length() <= RolloutVerdict.MAX_REASON + 1, "length " + result.reason().length());
    }
}
