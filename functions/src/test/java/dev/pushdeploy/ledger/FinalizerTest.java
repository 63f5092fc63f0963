package dev.pushdeploy.ledger;

import dev.pushdeploy.model.FinalizeResult;
import dev.pushdeploy.model.LockResult;
import dev.pushdeploy.model.LockStatus;
import dev.pushdeploy.model.Outcome;
import dev.pushdeploy.model.Result;
import dev.pushdeploy.model.ScanResult;
import dev.pushdeploy.model.ScanStatus;
import dev.pushdeploy.model.StepError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.ConfigSource;
import org.junit.jupiter.params.provider.CsvSource;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.error.ConfigurationException;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.error.TransientException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.release.InMemoryTaskDefinitions;
import dev.pushdeploy.rollout.FakeEcsServices;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.model.Verdict;
import dev.pushdeploy.model.RotationResult;
import dev.pushdeploy.model.SecretSlot;
import dev.pushdeploy.testing.SampleStack;
import java.time.Instant;
import java.util.ArrayList;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FinalizerTest {
    static final String KEY = "pushdeploy/web";
    static final String IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:" + "1".repeat(64);
    static final Instant NOW = Instant.parse("2025-03-01T12:30:00Z");
    static final Instant PREPARED = Instant.parse("2025-03-01T12:00:00Z");

    private final InMemoryLedger table = new InMemoryLedger();
    private final InMemoryTaskDefinitions taskDefinitions = new InMemoryTaskDefinitions();
    private final FakeEcsServices services = new FakeEcsServices(InMemoryTaskDefinitions.arn("web", 1), true);
    private final InMemoryReleaseParameters releaseParameters = new InMemoryReleaseParameters();
    private final InMemoryKeptImages images = new InMemoryKeptImages();
    private final Map<String, String> parameters = releaseParameters.values;
    private final List<String> parameterWrites = releaseParameters.writes;
    private final List<OutcomeNotice> published = new CopyOnWriteArrayList<>();
    private final MutableClock clock = new MutableClock(NOW);
    private final List<String> revisions = new ArrayList<>();

    // ---- reason, error and rollback, kept apart

    static Stream<Arguments> reasons() {
        CheckResult failed = new CheckResult(Verdict.FAILED, "task stopped: CannotPullContainerError", 0, 0, 2, 1);
        CheckResult inProgress = new CheckResult(Verdict.IN_PROGRESS, "1/2 running", 10, 1, 2, 0);
        CheckResult healthy = new CheckResult(Verdict.HEALTHY, "healthy: 2/2", 0, 2, 2, 0);
        StepError accessDenied = new StepError("dev.pushdeploy.error.AwsFailureException", "ecs:UpdateService web failed: AccessDenied");
        StepError nameOnly = new StepError("States.TaskFailed", null);
        LockResult superseded = new LockResult(LockStatus.SUPERSEDED, "other", "a newer request for pushdeploy/web (b) supersedes this one");
        LockResult timedOut = new LockResult(LockStatus.TIMED_OUT, "other", "waited 4000 s for the lock of pushdeploy/web");
        ScanResult noScan = new ScanResult(ScanStatus.PENDING, "no scan of sha256:1 within 1800 s", Map.of(), 0);
        return Stream.of(
                Arguments.of("result reason wins", Outcome.ROLLED_BACK, "operator said so", failed, accessDenied, null, null, "operator said so"),
                Arguments.of("the failed check", Outcome.ROLLED_BACK, null, failed, accessDenied, null, null, "task stopped: CannotPullContainerError"),
                Arguments.of("blank result reason", Outcome.ROLLED_BACK, "  ", failed, null, null, null, "task stopped: CannotPullContainerError"),
                Arguments.of("an unfinished check is not a reason", Outcome.ROLLED_BACK, null, inProgress, accessDenied, null, null,
                        "dev.pushdeploy.error.AwsFailureException: ecs:UpdateService web failed: AccessDenied"),
                Arguments.of("a healthy check before a failure is not the reason", Outcome.ROLLED_BACK, null, healthy, accessDenied, null, null,
                        "dev.pushdeploy.error.AwsFailureException: ecs:UpdateService web failed: AccessDenied"),
                Arguments.of("the error name alone", Outcome.FAILED, null, null, nameOnly, null, null, "States.TaskFailed"),
                Arguments.of("the lock's answer", Outcome.SUPERSEDED, null, null, null, superseded, null, superseded.reason()),
                Arguments.of("the lock's deadline", Outcome.FAILED, null, null, null, timedOut, null, timedOut.reason()),
                Arguments.of("the scan's deadline", Outcome.FAILED, null, null, null, null, noScan, noScan.reason()),
                Arguments.of("what interrupted the run", Outcome.INTERRUPTED, null, null, new StepError(
                        "dev.pushdeploy.error.RunInterruptedException", "request r lost the lock"), null, null, "request r lost the lock"),
                Arguments.of("a service moved again after the run was prepared again", Outcome.INTERRUPTED, null, null, new StepError(
                        "dev.pushdeploy.error.ServiceMovedException", "pushdeploy/web runs web:9, not web:8"), null, null,
                        "pushdeploy/web runs web:9, not web:8"),
                Arguments.of("a healthy check for a success", Outcome.SUCCEEDED, null, healthy, null, null, null, "healthy: 2/2"),
                Arguments.of("nothing but the outcome", Outcome.SUPERSEDED, null, null, null, null, null, "SUPERSEDED"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reasons")
    void reasonDefaults(String what, Outcome outcome, String resultReason, CheckResult check, StepError error, LockResult lock,
            ScanResult scan, String expected) {
        Finalizer.Input input = new Finalizer.Input(request(), new Result(outcome, resultReason), null, null, check, null,
                null, lock, scan, null, error, null);
        assertEquals(expected, Finalizer.reason(input));
    }

    @Test
    void theOriginalErrorAndTheRollbacksResultStayApart() {
        Rollout back = new Rollout("ecs-svc/back", InMemoryTaskDefinitions.ARN_PREFIX + "web:1", 1, 2, true, null);
        StepError crash = new StepError("java.lang.RuntimeException", "injected fault: invocation 1 of CheckDeploymentFunction crashed");
        Finalizer.Input rolledBack = new Finalizer.Input(request(), new Result(Outcome.ROLLED_BACK, null), null, null, null, back,
                new CheckResult(Verdict.HEALTHY, "deployment ecs-svc/back (web:1) COMPLETED, 2/2 tasks running", 0, 2, 2, 0),
                null, null, null, crash, null);
        Ending ending = Finalizer.ending(rolledBack);
        assertEquals("java.lang.RuntimeException: injected fault: invocation 1 of CheckDeploymentFunction crashed", ending.reason());
        assertEquals("java.lang.RuntimeException", ending.error());
        assertEquals("back on web:1, healthy: deployment ecs-svc/back (web:1) COMPLETED, 2/2 tasks running", ending.rollback());
        assertEquals(back.taskDefinition(), ending.verified());

        Finalizer.Input rollbackFailed = new Finalizer.Input(request(), new Result(Outcome.ROLLBACK_FAILED, null), null, null,
                new CheckResult(Verdict.TIMED_OUT, "not healthy 600 s after the start", 0, 0, 2, 0), back, null, null, null, null, null,
                new StepError("dev.pushdeploy.error.AwsFailureException", "ecs:UpdateService failed: AccessDenied"));
        Ending failed = Finalizer.ending(rollbackFailed);
        assertEquals("not healthy 600 s after the start", failed.reason());
        assertEquals("rollback failed: dev.pushdeploy.error.AwsFailureException: ecs:UpdateService failed: AccessDenied", failed.rollback());
        assertNull(failed.verified());
    }

    @Test
    void aFailureBeforeOurRevisionReachedTheServiceIsFailedWithNothingRolledBack() {
        Rollout stayed = new Rollout(null, InMemoryTaskDefinitions.ARN_PREFIX + "web:1", 1, 2, false, null);
        StepError crash = new StepError("dev.pushdeploy.error.AwsFailureException", "ecs:UpdateService failed: AccessDenied");
        Ending ending = Finalizer.ending(new Finalizer.Input(request(), new Result(Outcome.FAILED, null), null, null, null, stayed,
                null, null, null, null, crash, null));
        assertEquals("dev.pushdeploy.error.AwsFailureException: ecs:UpdateService failed: AccessDenied", ending.reason());
        assertEquals("nothing to roll back: the service never left web:1", ending.rollback());
        assertNull(ending.verified());
    }

    @Test
    void longReasonsAreCapped() {
        String reason = Finalizer.reason(new Finalizer.Input(request(), new Result(Outcome.ROLLED_BACK, "x".repeat(5000)),
                null, null, null, null, null, null, null, null, null, null));
        assertEquals(RunCloser.REASON_MAX, reason.length());
    }

    // ---- keep-N

    static Stream<Arguments> keepCases() {
        String p = InMemoryTaskDefinitions.ARN_PREFIX + "web:";
        return Stream.of(
                Arguments.of("fewer than keep", List.of(p + 1, p + 2, p + 3), 3, Set.of(), Set.of(), List.of()),
                Arguments.of("nothing verified: the newest stay", List.of(p + 1, p + 2, p + 3, p + 4, p + 5), 3, Set.of(), Set.of(),
                        List.of(p + 1, p + 2)),
                Arguments.of("any order", List.of(p + 5, p + 1, p + 4, p + 2, p + 3), 3, Set.of(), Set.of(), List.of(p + 1, p + 2)),
                Arguments.of("protected count", List.of(p + 1, p + 2, p + 3, p + 4, p + 5), 3, Set.of("web:1"), Set.of(), List.of(p + 2, p + 3)),
                Arguments.of("a good revision outlives ten failed ones", rangeOf(p, 1, 12), 10, Set.of("web:12"), Set.of("web:1"),
                        List.of(p + 2, p + 3)),
                Arguments.of("keep 2 after one failed push: the verified one stays", List.of(p + 1, p + 2), 2, Set.of("web:1"),
                        Set.of("web:1"), List.of()),
                Arguments.of("failed revisions go before verified ones", rangeOf(p, 1, 6), 3, Set.of("web:6"), Set.of("web:1", "web:3"),
                        List.of(p + 2, p + 4, p + 5)),
                Arguments.of("a family adopted with 300 revisions: the oldest ten a run", rangeOf(p, 1, 300), 10, Set.of("web:300"),
                        Set.of(), rangeOf(p, 1, 10)));
    }

    private static List<String> rangeOf(String prefix, int from, int to) {
        List<String> arns = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            arns.add(prefix + i);
        }
        return arns;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keepCases")
    void deregistersFailedRevisionsFirstAndNeverProtectedOnes(String what, List<String> active, int keep, Set<String> protectedNames,
            Set<String> verified, List<String> expected) {
        assertEquals(expected, RunCloser.beyondKeep(active, keep, protectedNames, verified));
    }

    // ---- the whole step

    @Test
    void aSucceededDeployIsRecordedReleasedCleanedAndPublished() {
        String v1 = revision("v1", "/a");
        String v2 = revision("v2", "/b");
        String v3 = revision("v3", "/a");
        String v4 = revision("v4", "/b");
        String v5 = revision("v5", "/a");
        services.runOnly(v5);
        DeployRequest request = request(v4);
        holdLock(request);
        table.registerWaiter(KEY, new WaiterItem(request.requestId(), Action.DEPLOY, null, null, 1, 1, 1, Long.MAX_VALUE));

        FinalizeResult result = finalizer().finish(succeeded(request, v5), log());

        assertEquals(new FinalizeResult(Outcome.SUCCEEDED, "healthy: 2/2", KEY, IMAGE, v5, v4, List.of(v1, v2)), result);
        assertFalse(taskDefinitions.active(v1) || taskDefinitions.active(v2));
        assertTrue(taskDefinitions.active(v3) && taskDefinitions.active(v4) && taskDefinitions.active(v5));
        assertTrue(table.lock(KEY).isEmpty(), "lock released");
        assertTrue(table.waiters(KEY).isEmpty(), "waiter removed");
        assertEquals(Map.of(SampleStack.LIVE_IMAGE_PARAMETER, image("v5"),
                SampleStack.LIVE_SIGNING_KEY_PARAMETER, SampleStack.SIGNING_KEY_PARAMETER + "/a"), parameters);

        HistoryItem item = table.historyOf(KEY).get(0);
        assertEquals("hist#2025-03-01T12:00:00.000Z#exec-1", item.sortKey());
        assertEquals(Outcome.SUCCEEDED, item.outcome());
        assertEquals(v5, item.taskDefinition());
        assertEquals(v4, item.previousTaskDefinition());
        assertEquals(v5, item.releaseTaskDefinition());
        assertEquals("ecs-svc/123", item.deploymentId());
        assertEquals(List.of("APP_SIGNING_KEY=a"), item.secretSlots());
        assertEquals(List.of(v1, v2), item.deregistered());
        assertTrue(item.published());

        assertEquals(1, published.size());
        OutcomeNotice notice = published.get(0);
        assertEquals("pushdeploy SUCCEEDED pushdeploy/web", notice.subject());
        assertEquals(new OutcomeNotice("exec-1", Outcome.SUCCEEDED, "healthy: 2/2", null, null, Action.DEPLOY, KEY, IMAGE, v5, v4, v5,
                List.of(v1, v2), List.of()), notice);
        assertEquals(v5, item.verifiedTaskDefinition());
        assertEquals("Finalize", item.recordedBy());
    }

    /**
     * A first release rolled back leaves the stack's bootstrap revision live: the release parameters say {@code none}
     * for the image and every managed secret, also when someone had written a release into them by hand.
     */
    @Test
    void aRolledBackFirstReleaseLeavesTheReleaseParametersAtNone() {
        String bootstrap = taskDefinitions.add("web", "app", "repo:bootstrap", Map.of());
        String v1 = revision("v1", "/a");
        services.runOnly(bootstrap, 0);
        parameters.put(SampleStack.LIVE_IMAGE_PARAMETER, image("v0"));
        parameters.put(SampleStack.LIVE_SIGNING_KEY_PARAMETER, RunCloser.NO_RELEASE);
        DeployRequest request = request(bootstrap).toBuilder().desiredCount(2).previousDesiredCount(0).build();
        holdLock(request);
        Rollout back = new Rollout("ecs-svc/back", bootstrap, 1, 2, true, null, 0);
        Finalizer.Input input = new Finalizer.Input(request, new Result(Outcome.ROLLED_BACK, null),
                new Release(v1, "web", 2, IMAGE, true), new Rollout("ecs-svc/123", v1, 1, 2, true, null, 2),
                new CheckResult(Verdict.FAILED, "task stopped: EssentialContainerExited", 0, 0, 2, 2), back,
                new CheckResult(Verdict.HEALTHY, "deployment ecs-svc/back (web:1) COMPLETED, 0/0 tasks running", 0, 0, 0, 0),
                new LockResult(LockStatus.ACQUIRED, request.requestId(), "acquired"), null,
                new RotationResult(List.of(new SecretSlot("APP_SIGNING_KEY", "a", SampleStack.SIGNING_KEY_PARAMETER + "/a", 1L, null, null))),
                null, null);

        FinalizeResult result = finalizer().finish(input, log());

        assertEquals(Outcome.ROLLED_BACK, result.outcome());
        assertEquals(Map.of(SampleStack.LIVE_IMAGE_PARAMETER, RunCloser.NO_RELEASE,
                SampleStack.LIVE_SIGNING_KEY_PARAMETER, RunCloser.NO_RELEASE), parameters);
        assertEquals(List.of(SampleStack.LIVE_IMAGE_PARAMETER), parameterWrites, "only the changed parameter is written");
        assertEquals(bootstrap, table.historyOf(KEY).get(0).taskDefinition());
        assertTrue(taskDefinitions.active(bootstrap));
        assertTrue(table.lock(KEY).isEmpty(), "lock released");
        assertEquals(1, published.size());
    }

    @Test
    void aFailedWayBackLeadsTheCauseTheRecordKeepsBothApart() {
        String v1 = revision("v1", "/a");
        String v2 = revision("v2", "/b");
        services.runOnly(v1);
        DeployRequest request = request(v1);
        holdLock(request);
        Rollout back = new Rollout("ecs-svc/back", v1, 1, 2, true, null, 0);
        Finalizer.Input input = new Finalizer.Input(request, new Result(Outcome.ROLLBACK_FAILED, null),
                new Release(v2, "web", 2, IMAGE, true), new Rollout("ecs-svc/123", v2, 1, 2, true, null, 2),
                new CheckResult(Verdict.FAILED, "2 tasks of web:2 exited", 0, 0, 2, 2), back,
                new CheckResult(Verdict.FAILED, "2 tasks of web:1 exited", 0, 0, 2, 2),
                new LockResult(LockStatus.ACQUIRED, request.requestId(), "acquired"), null, null, null, null);

        FinalizeResult result = finalizer().finish(input, log());

        assertEquals(Outcome.ROLLBACK_FAILED, result.outcome());
        assertEquals("rollback to web:1 failed: 2 tasks of web:1 exited; rolled back because: 2 tasks of web:2 exited",
                result.reason(), "the execution's cause: what the way back ran into, then why it was taken");
        HistoryItem record = table.historyOf(KEY).get(0);
        assertEquals("2 tasks of web:2 exited", record.reason());
        assertEquals("rollback to web:1 failed: 2 tasks of web:1 exited", record.rollback());
        assertEquals(result.reason(), record.summary());
    }

    /**
     * The live image carries the live revision's keep tag, so the repository's lifecycle policy cannot expire it, and the
     * way back's image its revision's (v4 went live before keep tags); the revisions deregistered lose theirs (v2 ran v1's
     * image with other secrets: the image keeps its own tag).
     */
    @Test
    void theLiveImageAndTheWayBacksAreKeptAndDeregisteredRevisionsLetTheirsGo() {
        String v1 = pushedRevision("v1", "v1", "/a");
        String v2 = pushedRevision("v1", null, "/b");
        String v3 = pushedRevision("v3", "v3", "/a");
        String v4 = pushedRevision("v4", "v4", "/b");
        String v5 = pushedRevision("v5", "v5", "/a");
        List.of(v1, v2, v3).forEach(this::keptEarlier);
        services.runOnly(v5);
        DeployRequest request = request(v4);
        holdLock(request);

        FinalizeResult result = finalizer().finish(succeeded(request, v5), log());

        assertEquals(List.of(v1, v2), result.deregistered());
        assertEquals(List.of("v5", keepTag(v5)), images.tags("web", digest("v5")).orElseThrow());
        assertEquals(List.of("v1"), images.tags("web", digest("v1")).orElseThrow(), "the deregistered revisions' tags are off");
        assertEquals(List.of("v3", keepTag(v3)), images.tags("web", digest("v3")).orElseThrow());
        assertEquals(List.of("v4", keepTag(v4)), images.tags("web", digest("v4")).orElseThrow());
        assertEquals(List.of(), table.historyOf(KEY).get(0).warnings());
    }

    @Test
    void anImageThatCannotBeKeptIsAWarningNotAFailure() {
        String v1 = pushedRevision("v1", "v1", "/a");
        String v2 = pushedRevision("v2", "v2", "/b");
        services.runOnly(v2);
        DeployRequest request = request(v1);
        holdLock(request);
        images.failing = true;

        FinalizeResult result = finalizer().finish(succeeded(request, v2), log());

        assertEquals(Outcome.SUCCEEDED, result.outcome());
        assertTrue(table.lock(KEY).isEmpty(), "lock released");
        assertEquals(List.of("image keep tags: ecr:PutImage failed: AccessDeniedException: not allowed"),
                table.historyOf(KEY).get(0).warnings());
        assertEquals(List.of("v2"), images.tags("web", digest("v2")).orElseThrow());
    }

    @Test
    void onlyAReleaseOfTheServicesOwnRepositoryIsKept() {
        String elsewhere = "123456789012.dkr.ecr.us-east-1.amazonaws.com/other@" + digest("v2");
        images.push("other", digest("v2"), "v2");
        images.push("web", digest("v2"), "v2");
        String v1 = pushedRevision("v1", "v1", "/a");
        String v2 = taskDefinitions.add("web", "app", elsewhere, Map.of("APP_SIGNING_KEY", SampleStack.SIGNING_KEY_PARAMETER + "/b"));
        services.runOnly(v2);
        DeployRequest request = request(v1);
        holdLock(request);

        finalizer().finish(succeeded(request, v2), log());

        assertEquals(List.of("v2"), images.tags("web", digest("v2")).orElseThrow());
        assertEquals(List.of("v2"), images.tags("other", digest("v2")).orElseThrow());
    }

    @Test
    void aRetryChangesNothingAndPublishesOnce() {
        String v1 = revision("v1", "/a");
        String v2 = revision("v2", "/b");
        String v3 = revision("v3", "/a");
        String v4 = revision("v4", "/b");
        services.runOnly(v4);
        DeployRequest request = request(v3);
        holdLock(request);
        Finalizer.Input input = succeeded(request, v4);
        FinalizeResult first = finalizer().finish(input, log());
        int writes = parameterWrites.size();
        clock.advance(java.time.Duration.ofSeconds(30));

        FinalizeResult again = finalizer().finish(input, log());

        assertEquals(first, again);
        assertEquals(List.of(v1), again.deregistered());
        assertEquals(1, published.size(), "published once");
        assertEquals(1, table.historyOf(KEY).size(), "one history item");
        assertEquals(writes, parameterWrites.size(), "unchanged parameters are not written again");
        assertTrue(taskDefinitions.active(v2));
    }

    @Test
    void aRequestThatLostItsLockTouchesNeitherRevisionsNorParameters() {
        String v1 = revision("v1", "/a");
        revision("v2", "/b");
        revision("v3", "/a");
        String v4 = revision("v4", "/b");
        services.runOnly(v4);
        DeployRequest request = request(v4);
        table.locks.put(KEY, new LockItem("someone-else", null, Action.DEPLOY, null, null, 1, 1, 1, Long.MAX_VALUE));

        FinalizeResult result = finalizer().finish(new Finalizer.Input(request, new Result(Outcome.SUPERSEDED, null), null, null,
                null, null, null, new LockResult(LockStatus.SUPERSEDED, "someone-else", "newer"), null, null, null, null), log());

        assertEquals(Outcome.SUPERSEDED, result.outcome());
        assertEquals("newer", result.reason());
        assertTrue(result.deregistered().isEmpty());
        assertTrue(taskDefinitions.active(v1));
        assertTrue(parameters.isEmpty());
        assertEquals("someone-else", table.lock(KEY).orElseThrow().holder(), "another request's lock stays");
        assertEquals(1, table.historyOf(KEY).size());
        assertEquals(1, published.size());
    }

    /** The holder is whom the ownership it is given says (SnapStart priming counts its sample request as the holder). */
    @Test
    void theOwnershipItIsGivenDecidesWhetherItKeepsHouse() {
        String v1 = revision("v1", "/a");
        String v2 = revision("v2", "/b");
        revision("v3", "/a");
        String v4 = revision("v4", "/b");
        String v5 = revision("v5", "/a");
        services.runOnly(v5);

        FinalizeResult kept = new Finalizer(closer(), r -> true).finish(succeeded(request(v4), v5), log());

        assertEquals(List.of(v1, v2), kept.deregistered(), "kept house although the table holds no lock");
        assertEquals(image("v5"), parameters.get(SampleStack.LIVE_IMAGE_PARAMETER));

        parameters.clear();
        String v6 = revision("v6", "/b");
        services.runOnly(v6);
        DeployRequest next = request(v5).toBuilder().requestId("exec-2").build();
        holdLock(next);
        FinalizeResult left = new Finalizer(closer(), r -> false).finish(succeeded(next, v6), log());

        assertEquals(List.of(), left.deregistered());
        assertTrue(taskDefinitions.active(v4));
        assertTrue(parameters.isEmpty(), "no housekeeping for a request its ownership does not count as the holder");
    }

    @Test
    void aRequestEndedBeforeItNamedAServiceIsOnlyPublished() {
        DeployRequest rejected = DeployRequest.ended("exec-9", Decision.REJECTED, "image: bad digest");
        FinalizeResult result = finalizer().finish(new Finalizer.Input(rejected, new Result(Outcome.REJECTED, "image: bad digest"),
                null, null, null, null, null, null, null, null, null, null), log());
        assertEquals(new FinalizeResult(Outcome.REJECTED, "image: bad digest", null, null, null, null, List.of()), result);
        assertEquals("pushdeploy REJECTED exec-9", published.get(0).subject());
        assertTrue(table.history.isEmpty());
    }

    @Test
    void failedHousekeepingIsAWarningAndTheLockIsStillReleased() {
        for (int i = 1; i <= 5; i++) {
            revision("v" + i, "/a");
        }
        services.runOnly(revisions.get(4));
        DeployRequest request = request(revisions.get(3));
        holdLock(request);
        InMemoryTaskDefinitions denied = new InMemoryTaskDefinitions() {
            @Override
            public void deregister(String arn) {
                throw new AwsFailureException("ecs:DeregisterTaskDefinition " + arn + " failed: AccessDeniedException: no", null);
            }
        };
        revisions.forEach(arn -> denied.put(taskDefinitions.find(arn).orElseThrow()));
        Finalizer finalizer = new Finalizer(new RunCloser(config(), table, services, denied, releaseParameters, images,
                List.of(published::add), clock));

        FinalizeResult result = finalizer.finish(succeeded(request, revisions.get(4)), log());

        assertTrue(result.deregistered().isEmpty());
        assertTrue(table.lock(KEY).isEmpty());
        assertEquals(1, published.get(0).warnings().size());
        assertTrue(published.get(0).warnings().get(0).startsWith("deregistration: ecs:DeregisterTaskDefinition"));
        assertEquals(published.get(0).warnings(), table.historyOf(KEY).get(0).warnings());
    }

    /**
     * The configuration document deleted by hand (or a stack's parameter gone): the run's end still records, releases and
     * announces it, the housekeeping that needs the service's target (release parameters, keep tags) a warning. Before, the
     * close failed before its record, in Finalize and in the reconciler alike, and the lock stayed until others took it over.
     */
    @Test
    void aConfigurationThatCannotBeReadLeavesAWarningNotAnUnclosedRun() {
        DeployRequest request = oneRevisionLockedFor();
        ConfigSource gone = () -> {
            throw new ConfigurationException("configuration parameter /pushdeploy/config does not exist");
        };

        new Finalizer(closer(gone, List.of(published::add))).finish(succeeded(request, revisions.get(0)), log());

        assertTrue(table.lock(KEY).isEmpty(), "lock released");
        assertEquals("SUCCEEDED", table.historyOf(KEY).get(0).outcome().name());
        assertEquals(1, published.size());
        assertTrue(published.get(0).warnings().stream().anyMatch(w -> w.contains("configuration parameter /pushdeploy/config does not exist")),
                published.get(0).warnings().toString());
    }

    /**
     * The release parameters are written under the current document's prefix (the names the stack reads after an update
     * that moved them), not the prefix of the version the run was prepared with; while the current document cannot be read
     * (broken by hand), under the run's own.
     */
    @ParameterizedTest(name = "current document {0}")
    @CsvSource({"moved, /acme/releases", "broken, /pushdeploy/release"})
    void theReleaseParametersGoWhereTheCurrentDocumentNamesThem(String current, String prefix) {
        DeployRequest request = oneRevisionLockedFor().toBuilder().configVersion(1L).build();
        holdLock(request);
        PipelineConfig prepared = ConfigParser.parse(SampleStack.configDocument(null)).withVersion(1L);
        ConfigSource config = new ConfigSource() {
            @Override
            public PipelineConfig load() {
                if (current.equals("broken")) {
                    throw new ConfigurationException("configuration: not valid JSON");
                }
                return ConfigParser.parse(SampleStack.configDocument(null).replace(SampleStack.RELEASE_PARAMETER_PREFIX, "/acme/releases"))
                        .withVersion(2L);
            }

            @Override
            public PipelineConfig load(Long version) {
                return version != null && version == 1L ? prepared : load();
            }
        };

        new Finalizer(closer(config, List.of(published::add))).finish(succeeded(request, revisions.get(0)), log());

        String image = prefix + "/" + SampleStack.CLUSTER + "/" + SampleStack.SERVICE + "/image";
        assertEquals(image("v1"), parameters.get(image), "written under " + prefix + ": " + parameters);
        assertEquals(java.util.Set.of(image, image.replace("/image", "/secret/" + SampleStack.SIGNING_KEY)), parameters.keySet(),
                "the image and the secret slot there, nothing elsewhere");
        assertTrue(published.get(0).warnings().isEmpty(), published.get(0).warnings().toString());
    }

    /**
     * A notification channel that fails for good (the topic deleted, its key disabled) does not silence the others: each
     * channel is sent the notice, and the failure then fails the step, visibly. The record stays claimed as announced, so
     * the reconciler does not send the others a second copy for a failure no retry mends; a transient one gives the claim
     * back, so that a retry sends it again.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aChannelThatFailsDoesNotSilenceTheOthers(boolean transientFailure) {
        DeployRequest request = oneRevisionLockedFor();
        RuntimeException failure = transientFailure ? new TransientException("sns:Publish failed transiently", null)
                : new AwsFailureException("sns:Publish arn:aws:sns:us-east-1:123456789012:pushdeploy failed: NotFoundException: Topic does not exist", null);
        Finalizer finalizer = new Finalizer(closer(config(), List.of(n -> {
            throw failure;
        }, published::add)));

        RuntimeException thrown = assertThrows(RuntimeException.class, () -> finalizer.finish(succeeded(request, revisions.get(0)), log()));

        assertEquals(failure, thrown);
        assertEquals(1, published.size(), "the other channel has the notice");
        assertEquals(!transientFailure, table.historyOf(KEY).get(0).published());
        assertTrue(table.lock(KEY).isEmpty());
    }

    @Test
    void transientFailuresPropagateSoTheStateMachineRetries() {
        DeployRequest request = oneRevisionLockedFor();
        Finalizer finalizer = new Finalizer(closer(config(), List.of(n -> {
            throw new TransientException("sns:Publish failed transiently", null);
        })));
        assertThrows(TransientException.class, () -> finalizer.finish(succeeded(request, revisions.get(0)), log()));
        assertFalse(table.historyOf(KEY).get(0).published(), "the claim was given back: a retry will publish");
        assertTrue(table.lock(KEY).isEmpty());

        finalizer().finish(succeeded(request, revisions.get(0)), log());
        assertEquals(1, published.size());
    }

    @Test
    void ofTwoClosersOfOneRunOnlyOneNotifies() throws InterruptedException {
        revision("v1", "/a");
        services.runOnly(revisions.get(0));
        DeployRequest request = request(revisions.get(0));
        holdLock(request);
        List<Thread> closers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            closers.add(Thread.ofVirtual().start(() -> finalizer().finish(succeeded(request, revisions.get(0)), log())));
        }
        for (Thread closer : closers) {
            closer.join();
        }
        assertEquals(1, published.size());
        assertEquals(1, table.historyOf(KEY).size());
    }

    /** A deploy from v1 to v2 that SUCCEEDED and was recorded, and a release's rollback to v1 that undoes it, holding the lock. */
    private record Undo(String v1, String v2, String deployed, DeployRequest request) {
    }

    private Undo deployedThenUndone() {
        String v1 = revision("v1", "/a");
        String v2 = revision("v2", "/b");
        services.runOnly(v2);
        DeployRequest deploy = request(v1);
        holdLock(deploy);
        finalizer().finish(succeeded(deploy, v2), log());
        String deployed = table.historyOf(KEY).get(0).sortKey();
        clock.advance(java.time.Duration.ofSeconds(90));
        DeployRequest undo = DeployRequest.builder()
                .requestId("rel-1-web-back").action(Action.ROLLBACK).source("manual")
                .cluster("pushdeploy").service("web").container("app").repository("web")
                .image("repo@v1").reason("release rel-1 rolled back: pushdeploy/api did not go live")
                .previousTaskDefinition(v2).targetTaskDefinition(v1)
                .decision(Decision.PROCEED).deadlineSeconds(600).startedAt(NOW.toEpochMilli()).undoes(deployed)
                .build();
        holdLock(undo);
        return new Undo(v1, v2, deployed, undo);
    }

    @Test
    void aRollbackThatUndoesARunCompletesThatRunsRecordOnceAndAnnouncesIt() {
        Undo u = deployedThenUndone();
        String v1 = u.v1();
        String v2 = u.v2();
        String deployed = u.deployed();
        DeployRequest undo = u.request();
        services.runOnly(v1);
        Finalizer.Input back = new Finalizer.Input(undo, new Result(Outcome.SUCCEEDED, null), null,
                new Rollout("ecs-svc/456", v1, 1, 2, true, null), new CheckResult(Verdict.HEALTHY, "healthy: 2/2 on web:1", 0, 2, 2, 0),
                null, null, new LockResult(LockStatus.ACQUIRED, undo.requestId(), "acquired"), null, null, null, null);

        FinalizeResult result = finalizer().finish(back, log());
        FinalizeResult again = finalizer().finish(back, log());

        assertEquals(Outcome.SUCCEEDED, result.outcome(), "the rollback run itself succeeded");
        assertEquals(result, again);
        List<HistoryItem> records = table.historyOf(KEY);
        assertEquals(1, records.size(), "one record tells the whole story");
        HistoryItem record = records.get(0);
        assertEquals(deployed, record.sortKey());
        assertEquals("exec-1", record.requestId());
        assertEquals(Outcome.ROLLED_BACK, record.outcome());
        assertEquals("release rel-1 rolled back: pushdeploy/api did not go live", record.reason());
        assertEquals("back on web:1 (rel-1-web-back): healthy: 2/2 on web:1", record.rollback());
        assertEquals(v1, record.taskDefinition());
        assertEquals(v1, record.verifiedTaskDefinition());
        assertEquals(v2, record.releaseTaskDefinition());
        assertEquals(IMAGE, record.image());
        assertEquals("rel-1-web-back", record.undoneBy());
        assertTrue(record.published());
        assertEquals(List.of(Outcome.SUCCEEDED, Outcome.ROLLED_BACK), published.stream().map(OutcomeNotice::outcome).toList(),
                "the deploy's notice, then the completed record's, once");
        assertTrue(table.lock(KEY).isEmpty());
        assertEquals(List.of(new VerifiedRevisions.Entry(null, v1)), table.verifiedRevisions(KEY).newestFirst(),
                "the undone deploy no longer names its revision as verified");
    }

    /**
     * The release's rollback could not go live on v1 and went back to v2, healthy: the undone deploy's record says the undo
     * failed, and still names v2 as verified (the service runs it, seen healthy twice), so "previous" and keep-N count it.
     */
    @Test
    void anUndoThatWentBackKeepsTheUndoneRevisionVerified() {
        Undo u = deployedThenUndone();
        services.runOnly(u.v2());
        Finalizer.Input back = new Finalizer.Input(u.request(), new Result(Outcome.ROLLED_BACK, null), null,
                new Rollout("ecs-svc/456", u.v1(), 1, 2, true, null),
                new CheckResult(Verdict.FAILED, "task abc (web:1) stopped [TaskFailedToStart]: ResourceInitializationError", 0, 0, 2, 1),
                new Rollout("ecs-svc/789", u.v2(), 1, 2, true, null), new CheckResult(Verdict.HEALTHY, "healthy: 2/2 on web:2", 0, 2, 2, 0),
                new LockResult(LockStatus.ACQUIRED, u.request().requestId(), "acquired"), null, null, null, null);

        finalizer().finish(back, log());

        HistoryItem record = table.historyOf(KEY).get(0);
        assertEquals(u.deployed(), record.sortKey());
        assertEquals(Outcome.ROLLBACK_FAILED, record.outcome());
        assertTrue(record.rollback().startsWith("rollback to web:1 ended ROLLED_BACK (rel-1-web-back)"), record.rollback());
        assertEquals(u.v2(), record.taskDefinition());
        assertEquals(u.v2(), record.verifiedTaskDefinition());
        assertEquals(List.of(new VerifiedRevisions.Entry(null, u.v2())), table.verifiedRevisions(KEY).newestFirst());
    }

    @Test
    void theOutcomeIsRequired() {
        assertThrows(InvalidRequestException.class, () -> finalizer().finish(new Finalizer.Input(request(), null, null, null, null,
                null, null, null, null, null, null, null), log()));
    }

    private String revision(String tag, String slot) {
        String arn = taskDefinitions.add("web", "app", image(tag), Map.of("APP_SIGNING_KEY", SampleStack.SIGNING_KEY_PARAMETER + slot));
        revisions.add(arn);
        return arn;
    }

    /** A revision of {@code build}'s image in repository web, pushed there with {@code tag} (untagged when null). */
    private String pushedRevision(String build, String tag, String slot) {
        images.push("web", digest(build), tag);
        String arn = taskDefinitions.add("web", "app", "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@" + digest(build),
                Map.of("APP_SIGNING_KEY", SampleStack.SIGNING_KEY_PARAMETER + slot));
        revisions.add(arn);
        return arn;
    }

    /** A revision that went live before: its image carries its keep tag. */
    private void keptEarlier(String revision) {
        String image = taskDefinitions.find(revision).orElseThrow().containers().get(0).image();
        images.keep("web", image.substring(image.indexOf('@') + 1), keepTag(revision));
    }

    private static String keepTag(String revision) {
        return KeptImages.tag(dev.pushdeploy.model.Revisions.family(revision), dev.pushdeploy.model.Revisions.revision(revision));
    }

    private static String digest(String build) {
        return image(build).substring("repo@".length());
    }

    /** The image of a build: {@code repo@sha256:<the tag's hex, padded>}. */
    private static String image(String tag) {
        String hex = java.util.HexFormat.of().formatHex(tag.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return "repo@sha256:" + "0".repeat(64 - hex.length()) + hex;
    }

    private void holdLock(DeployRequest request) {
        table.locks.put(KEY, new LockItem(request.requestId(), null, Action.DEPLOY, request.digest(), request.image(), 1, 1, 1, Long.MAX_VALUE));
    }

    private static Finalizer.Input succeeded(DeployRequest request, String release) {
        return new Finalizer.Input(request, new Result(Outcome.SUCCEEDED, null),
                new Release(release, "web", 5, IMAGE, true),
                new Rollout("ecs-svc/123", release, 1, 2, true, null),
                new CheckResult(Verdict.HEALTHY, "healthy: 2/2", 0, 2, 2, 0),
                null, null,
                new LockResult(LockStatus.ACQUIRED, request.requestId(), "acquired"), null,
                new RotationResult(List.of(new SecretSlot("APP_SIGNING_KEY", "a", SampleStack.SIGNING_KEY_PARAMETER + "/a", 2L, null, null))),
                null, null);
    }

    static DeployRequest request() {
        return request(InMemoryTaskDefinitions.ARN_PREFIX + "web:1");
    }

    static DeployRequest request(String previous) {
        return DeployRequest.builder()
                .requestId("exec-1").action(Action.DEPLOY).source("ecr")
                .cluster("pushdeploy").service("web").container("app").repository("web")
                .image(IMAGE).digest("sha256:" + "1".repeat(64)).tag("v1.1.0").reason("push").pushedAt(1L)
                .previousTaskDefinition(previous).previousImage("repo@old")
                .decision(Decision.PROCEED).rotate(true).register(true).deadlineSeconds(600)
                .startedAt(PREPARED.toEpochMilli())
                .build();
    }

    private Finalizer finalizer() {
        return new Finalizer(closer());
    }

    RunCloser closer() {
        return new RunCloser(config(), table, services, taskDefinitions, releaseParameters, images, List.of(published::add), clock);
    }

    private RunCloser closer(ConfigSource config, List<OutcomeSink> sinks) {
        return new RunCloser(config, table, services, taskDefinitions, releaseParameters, images, sinks, clock);
    }

    /** web's one revision, live, and a request for it holding the lock. */
    private DeployRequest oneRevisionLockedFor() {
        revision("v1", "/a");
        services.runOnly(revisions.get(0));
        DeployRequest request = request(revisions.get(0));
        holdLock(request);
        return request;
    }

    private static ConfigSource config() {
        return ConfigSource.of(ConfigParser.parse(SampleStack.configDocument(null)));
    }

    private static StepLog log() {
        return StepLog.to(line -> { }, "Finalize");
    }
}
