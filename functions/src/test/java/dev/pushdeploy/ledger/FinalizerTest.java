package dev.pushdeploy.ledger;

import dev.pushdeploy.model.FinalizeResult;
import dev.pushdeploy.model.LockResult;
import dev.pushdeploy.model.LockStatus;
import dev.pushdeploy.model.Outcome;
import dev.pushdeploy.model.Result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.error.TransientException;
import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.adapter.json.JsonLogLines;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
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
    private final Map<String, String> parameters = new HashMap<>();
    private final List<String> parameterWrites = new ArrayList<>();
    private final List<OutcomeNotice> published = new ArrayList<>();
    private final MutableClock clock = new MutableClock(NOW);
    private final List<String> revisions = new ArrayList<>();

    // ---- reason

    static Stream<Arguments> reasons() {
        CheckResult failed = new CheckResult(Verdict.FAILED, "task stopped: CannotPullContainerError", 0, 0, 2, 1);
        CheckResult inProgress = new CheckResult(Verdict.IN_PROGRESS, "1/2 running", 10, 1, 2, 0);
        CheckResult rollbackTimedOut = new CheckResult(Verdict.TIMED_OUT, "rollback not healthy after 600 s", 0, 0, 2, 0);
        JsonNode lambdaError = Json.tree("""
                {"Error":"dev.pushdeploy.error.AwsFailureException",
                 "Cause":"{\\"errorType\\":\\"dev.pushdeploy.error.AwsFailureException\\",\\"errorMessage\\":\\"ecs:UpdateService web failed: AccessDenied\\"}"}""");
        JsonNode plainCause = Json.tree("{\"Error\":\"States.Timeout\",\"Cause\":\"Task timed out\\nafter 60 s\"}");
        JsonNode noCause = Json.tree("{\"Error\":\"States.TaskFailed\"}");
        JsonNode jsonWithoutMessage = Json.tree("{\"Error\":\"Lambda.Unknown\",\"Cause\":\"{\\\"code\\\":1}\"}");
        return Stream.of(
                Arguments.of("result reason wins", Outcome.ROLLED_BACK, "operator said so", failed, null, lambdaError, "operator said so"),
                Arguments.of("the failed check", Outcome.ROLLED_BACK, null, failed, null, lambdaError, "task stopped: CannotPullContainerError"),
                Arguments.of("blank result reason", Outcome.ROLLED_BACK, "  ", failed, null, null, "task stopped: CannotPullContainerError"),
                Arguments.of("an unfinished check is not a reason", Outcome.ROLLED_BACK, null, inProgress, null, lambdaError,
                        "ecs:UpdateService web failed: AccessDenied"),
                Arguments.of("rollback check first when the rollback failed", Outcome.ROLLBACK_FAILED, null, failed, rollbackTimedOut, null,
                        "rollback not healthy after 600 s"),
                Arguments.of("rollout check first otherwise", Outcome.ROLLED_BACK, null, failed, rollbackTimedOut, null,
                        "task stopped: CannotPullContainerError"),
                Arguments.of("errorMessage of a Lambda error", Outcome.ROLLED_BACK, null, null, null, lambdaError,
                        "ecs:UpdateService web failed: AccessDenied"),
                Arguments.of("a plain Cause, on one line", Outcome.ROLLED_BACK, null, null, null, plainCause, "Task timed out after 60 s"),
                Arguments.of("a JSON Cause without errorMessage", Outcome.ROLLED_BACK, null, null, null, jsonWithoutMessage, "{\"code\":1}"),
                Arguments.of("the Error name", Outcome.ROLLED_BACK, null, null, null, noCause, "States.TaskFailed"),
                Arguments.of("nothing but the outcome", Outcome.SUPERSEDED, null, null, null, null, "SUPERSEDED"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reasons")
    void reasonDefaults(String what, Outcome outcome, String resultReason, CheckResult check, CheckResult rollbackCheck,
            JsonNode error, String expected) {
        Finalizer.Input input = new Finalizer.Input(request(), new Result(outcome, resultReason), null, null, check, null,
                rollbackCheck, null, null, error);
        assertEquals(expected, Finalizer.reason(input));
    }

    @Test
    void longReasonsAreCapped() {
        String reason = Finalizer.reason(new Finalizer.Input(request(), new Result(Outcome.ROLLED_BACK, "x".repeat(5000)),
                null, null, null, null, null, null, null, null));
        assertEquals(Finalizer.REASON_MAX, reason.length());
    }

    // ---- keep-N

    static Stream<Arguments> keepCases() {
        String p = InMemoryTaskDefinitions.ARN_PREFIX + "web:";
        return Stream.of(
                Arguments.of(List.of(p + 1, p + 2, p + 3), 3, Set.of(), List.of()),
                Arguments.of(List.of(p + 1, p + 2, p + 3, p + 4, p + 5), 3, Set.of(), List.of(p + 1, p + 2)),
                Arguments.of(List.of(p + 5, p + 1, p + 4, p + 2, p + 3), 3, Set.of(), List.of(p + 1, p + 2)),
                Arguments.of(List.of(p + 1, p + 2, p + 3, p + 4, p + 5), 3, Set.of("web:1"), List.of(p + 2)),
                Arguments.of(List.of(p + 1, p + 2, p + 3, p + 4, p + 5), 2, Set.of("web:2", "web:5"), List.of(p + 1, p + 3)),
                Arguments.of(List.of(p + 9, p + 10, p + 11), 2, Set.of(), List.of(p + 9)));
    }

    @ParameterizedTest(name = "keep {1} of {0} protecting {2} → {3}")
    @MethodSource("keepCases")
    void deregistersOnlyBeyondKeepAndNeverProtected(List<String> active, int keep, Set<String> protectedNames, List<String> expected) {
        assertEquals(expected, Finalizer.beyondKeep(active, keep, protectedNames));
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
        table.registerWaiter(KEY, new WaiterItem(request.requestId(), Action.DEPLOY, null, null, 1, 1, Long.MAX_VALUE));

        FinalizeResult result = finalizer().finish(succeeded(request, v5), log());

        assertEquals(new FinalizeResult(Outcome.SUCCEEDED, "healthy: 2/2", KEY, IMAGE, v5, v4, List.of(v1, v2)), result);
        assertFalse(taskDefinitions.active(v1) || taskDefinitions.active(v2));
        assertTrue(taskDefinitions.active(v3) && taskDefinitions.active(v4) && taskDefinitions.active(v5));
        assertTrue(table.lock(KEY).isEmpty(), "lock released");
        assertTrue(table.waiters(KEY).isEmpty(), "waiter removed");
        assertEquals(Map.of("/pushdeploy/release/pushdeploy/web/image", "repo@v5",
                "/pushdeploy/release/pushdeploy/web/secret/APP_SIGNING_KEY", SampleStack.SIGNING_KEY_PARAMETER + "/a"), parameters);

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
        assertEquals(new OutcomeNotice("exec-1", Outcome.SUCCEEDED, "healthy: 2/2", Action.DEPLOY, KEY, IMAGE, v5, v4, v5,
                List.of(v1, v2), List.of()), notice);
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
        table.locks.put(KEY, new LockItem("someone-else", Action.DEPLOY, null, null, 1, 1, Long.MAX_VALUE));

        FinalizeResult result = finalizer().finish(new Finalizer.Input(request, new Result(Outcome.SUPERSEDED, null), null, null,
                null, null, null, new LockResult(LockStatus.SUPERSEDED, "someone-else", "newer"), null, null), log());

        assertEquals(Outcome.SUPERSEDED, result.outcome());
        assertEquals("SUPERSEDED", result.reason());
        assertTrue(result.deregistered().isEmpty());
        assertTrue(taskDefinitions.active(v1));
        assertTrue(parameters.isEmpty());
        assertEquals("someone-else", table.lock(KEY).orElseThrow().holder(), "another request's lock stays");
        assertEquals(1, table.historyOf(KEY).size());
        assertEquals(1, published.size());
    }

    @Test
    void aRequestEndedBeforeItNamedAServiceIsOnlyPublished() {
        DeployRequest rejected = DeployRequest.ended("exec-9", Decision.REJECTED, "image: bad digest");
        FinalizeResult result = finalizer().finish(new Finalizer.Input(rejected, new Result(Outcome.REJECTED, "image: bad digest"),
                null, null, null, null, null, null, null, null), log());
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
        Finalizer finalizer = new Finalizer(config(), table, services, denied, parameterStore(), "/pushdeploy/release",
                List.of(published::add), clock);

        FinalizeResult result = finalizer.finish(succeeded(request, revisions.get(4)), log());

        assertTrue(result.deregistered().isEmpty());
        assertTrue(table.lock(KEY).isEmpty());
        assertEquals(1, published.get(0).warnings().size());
        assertTrue(published.get(0).warnings().get(0).startsWith("deregistration: ecs:DeregisterTaskDefinition"));
        assertEquals(published.get(0).warnings(), table.historyOf(KEY).get(0).warnings());
    }

    @Test
    void transientFailuresPropagateSoTheStateMachineRetries() {
        revision("v1", "/a");
        services.runOnly(revisions.get(0));
        DeployRequest request = request(revisions.get(0));
        holdLock(request);
        Finalizer finalizer = new Finalizer(config(), table, services, taskDefinitions, parameterStore(), "/pushdeploy/release",
                List.of(n -> {
                    throw new TransientException("sns:Publish failed transiently", null);
                }), clock);
        assertThrows(TransientException.class, () -> finalizer.finish(succeeded(request, revisions.get(0)), log()));
        assertFalse(table.historyOf(KEY).get(0).published(), "a retry will publish");
        assertTrue(table.lock(KEY).isEmpty());
    }

    @Test
    void theOutcomeIsRequired() {
        assertThrows(InvalidRequestException.class, () -> finalizer().finish(new Finalizer.Input(request(), null, null, null, null,
                null, null, null, null, null), log()));
    }

    private String revision(String tag, String slot) {
        String arn = taskDefinitions.add("web", "app", "repo@" + tag, Map.of("APP_SIGNING_KEY", SampleStack.SIGNING_KEY_PARAMETER + slot));
        revisions.add(arn);
        return arn;
    }

    private void holdLock(DeployRequest request) {
        table.locks.put(KEY, new LockItem(request.requestId(), Action.DEPLOY, request.digest(), request.image(), 1, 1, Long.MAX_VALUE));
    }

    private static Finalizer.Input succeeded(DeployRequest request, String release) {
        return new Finalizer.Input(request, new Result(Outcome.SUCCEEDED, null),
                new Release(release, "web", 5, IMAGE, true),
                new Rollout("ecs-svc/123", release, 1, 2, true),
                new CheckResult(Verdict.HEALTHY, "healthy: 2/2", 0, 2, 2, 0),
                null, null,
                new LockResult(LockStatus.ACQUIRED, request.requestId(), "acquired"),
                new RotationResult(List.of(new SecretSlot("APP_SIGNING_KEY", "a", SampleStack.SIGNING_KEY_PARAMETER + "/a", 2L, null, null))),
                null);
    }

    static DeployRequest request() {
        return request(InMemoryTaskDefinitions.arn("web", 1));
    }

    static DeployRequest request(String previous) {
        return DeployRequest.builder()
                .requestId("exec-1").action(Action.DEPLOY).source("ecr")
                .cluster("pushdeploy").service("web").container("app").repository("web")
                .image(IMAGE).digest("sha256:" + "1".repeat(64)).tag("v1.1.0").reason("push").pushedAt(1L)
                .previousTaskDefinition(previous).previousImage("repo@old")
                .decision(Decision.PROCEED).rotate(true).register(true).deadlineSeconds(600)
                .preparedAt(PREPARED.toEpochMilli())
                .build();
    }

    private Finalizer finalizer() {
        return new Finalizer(config(), table, services, taskDefinitions, parameterStore(), "/pushdeploy/release/", List.of(published::add), clock);
    }

    private static ConfigSource config() {
        return ConfigSource.of(ConfigParser.parse(SampleStack.configDocument(null)));
    }

    private ReleaseParameters parameterStore() {
        return new ReleaseParameters() {
            @Override
            public Optional<String> read(String name) {
                return Optional.ofNullable(parameters.get(name));
            }

            @Override
            public void write(String name, String value) {
                parameters.put(name, value);
                parameterWrites.add(name);
            }
        };
    }

    private static StepLog log() {
        return StepLog.to(JsonLogLines.to(line -> { }), "Finalize");
    }
}
