package dev.pushdeploy.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.Health;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.error.ConfigurationException;
import dev.pushdeploy.error.RunInterruptedException;
import dev.pushdeploy.error.TransientException;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.QuickRetry;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.model.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RolloutWatcherTest {
    static final String CONFIG = """
            {"targets": [{"repository": "web", "cluster": "pushdeploy", "service": "web", "container": "app"}]}""";

    final AtomicReference<Snapshots> observed = new AtomicReference<>();
    final List<String> resumed = new ArrayList<>();
    final Map<String, Boolean> waiting = new HashMap<>();
    /** The lease lengths the checks asked for. */
    final List<Integer> leases = new ArrayList<>();
    final java.util.concurrent.atomic.AtomicBoolean lockLost = new java.util.concurrent.atomic.AtomicBoolean();
    final InMemoryRolloutWatches store = new InMemoryRolloutWatches();
    final Map<String, Watch> watches = store.byService();
    final TaskTokens tokens = (token, result) -> {
        if (!waiting.getOrDefault(token, false)) {
            return false;
        }
        waiting.put(token, false);
        resumed.add(token + " " + result.verdict());
        return true;
    };
    /** The service was deleted: the observer finds it no longer exists, as {@link ServiceReader#require} says. */
    final java.util.concurrent.atomic.AtomicBoolean gone = new java.util.concurrent.atomic.AtomicBoolean();
    final RolloutWatcher watcher = new RolloutWatcher(new RolloutChecker(
            (cluster, service, health) -> {
                if (gone.get()) {
                    ((ServiceReader) (c, s) -> Optional.empty()).require(cluster, service);
                }
                return observed.get().build();
            }, ConfigSource.of(ConfigParser.parse(CONFIG)),
            (request, seconds) -> {
                if (lockLost.get()) {
                    throw new RunInterruptedException("request " + request.requestId() + " no longer holds the lock");
                }
                leases.add(seconds);
            }, RolloutFixtures.clockAt(Instant.ofEpochMilli(Snapshots.STARTED + 60_000))), store, tokens);
    final DeployRequest request = RolloutFixtures.request(RolloutFixtures.REV1_ARN, 600);
    final Rollout rollout = Snapshots.rollout(Snapshots.OURS, Snapshots.REV2);

    @Test
    void aRolloutInProgressLeavesTheTokenForTheEventsAndResumesNothing() {
        observed.set(inProgress());
        waiting.put("t1", true);
        CheckResult result = watcher.watch("t1", request, rollout, null, 0, 0, RolloutFixtures.log(RolloutFixtures.lines()));
        assertEquals(Verdict.IN_PROGRESS, result.verdict());
        assertEquals(List.of(), resumed);
        assertEquals("t1", watches.get("pushdeploy/web").token());
        assertEquals(Snapshots.DEADLINE / 1000 + RolloutWatcher.GRACE_SECONDS, watches.get("pushdeploy/web").expiresAt());
    }

    @Test
    void aRolloutAlreadyFinishedWhenTheTokenArrivesResumesAtOnce() {
        observed.set(Snapshots.healthy());
        waiting.put("t1", true);
        watcher.watch("t1", request, rollout, null, 0, 0, RolloutFixtures.log(RolloutFixtures.lines()));
        assertEquals(List.of("t1 HEALTHY"), resumed);
        assertTrue(watches.isEmpty(), "the watch is gone once the workflow is resumed");
    }

    @Test
    void anEventAboutTheServiceResumesTheWorkflowOnceTheVerdictIsFinal() {
        observed.set(inProgress());
        waiting.put("t1", true);
        watcher.watch("t1", request, rollout, null, 0, 0, RolloutFixtures.log(RolloutFixtures.lines()));

        assertEquals(Verdict.IN_PROGRESS, watcher.onEvent("pushdeploy", "web", null, RolloutFixtures.log(RolloutFixtures.lines()))
                .orElseThrow().verdict());
        assertEquals(List.of(), resumed, "an intermediate event resumes nothing");

        observed.set(Snapshots.healthy());
        assertEquals(Verdict.HEALTHY, watcher.onEvent("pushdeploy", "web", null, RolloutFixtures.log(RolloutFixtures.lines()))
                .orElseThrow().verdict());
        assertEquals(List.of("t1 HEALTHY"), resumed);
        assertTrue(watches.isEmpty());
    }

    /** Which stopped tasks re-check: the rollout's revision's, or one the event does not name; not an old task it replaces. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(value = {
            "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1, false",
            "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2, true",
            "NULL,                                                     true",
    }, nullValues = "NULL")
    void aStoppedTaskReChecksOnlyWhenItIsOfTheRolloutsRevision(String stoppedRevision, boolean checks) {
        observed.set(inProgress());
        waiting.put("t1", true);
        watcher.watch("t1", request, rollout, null, 0, 0, RolloutFixtures.log(RolloutFixtures.lines()));
        leases.clear();
        observed.set(Snapshots.healthy());

        Optional<CheckResult> result = watcher.onEvent("pushdeploy", "web", stoppedRevision, RolloutFixtures.log(RolloutFixtures.lines()));
        assertEquals(checks, result.isPresent(), String.valueOf(result));
        assertEquals(checks ? List.of("t1 HEALTHY") : List.of(), resumed);
        assertEquals(checks ? 1 : 0, leases.size(), "a check renews the lease, a skip makes no call: " + leases);
        assertEquals(!checks, watches.containsKey("pushdeploy/web"), "the watch stays for the next event");
    }

    /** A service deleted while its workflow waits: the next event's check judges it INTERRUPTED and resumes the workflow at once. */
    @Test
    void aServiceDeletedWhileTheWorkflowWaitsResumesItInterrupted() {
        observed.set(inProgress());
        waiting.put("t1", true);
        watcher.watch("t1", request, rollout, null, 0, 0, RolloutFixtures.log(RolloutFixtures.lines()));
        gone.set(true);

        CheckResult result = watcher.onEvent("pushdeploy", "web", null, RolloutFixtures.log(RolloutFixtures.lines())).orElseThrow();

        assertEquals(Verdict.INTERRUPTED, result.verdict());
        assertTrue(result.reason().startsWith("pushdeploy/web no longer exists or is not ACTIVE (deleted"), result.reason());
        assertEquals(List.of("t1 INTERRUPTED"), resumed);
        assertTrue(watches.isEmpty());
    }

    @Test
    void anEventForAServiceNobodyWaitsForChecksNothing() {
        observed.set(Snapshots.healthy());
        assertEquals(Optional.empty(), watcher.onEvent("pushdeploy", "web", null, RolloutFixtures.log(RolloutFixtures.lines())));
        assertEquals(List.of(), resumed);
    }

    @Test
    void aTokenThatNoLongerWaitsIsDroppedWithItsWatch() {
        observed.set(inProgress());
        watcher.watch("stale", request, rollout, null, 0, 0, RolloutFixtures.log(RolloutFixtures.lines()));
        observed.set(Snapshots.healthy());
        watcher.onEvent("pushdeploy", "web", null, RolloutFixtures.log(RolloutFixtures.lines()));
        assertEquals(List.of(), resumed);
        assertTrue(watches.isEmpty(), "a timed-out task's watch is removed");
    }

    @Test
    void aNewerTokenReplacesTheWatchAndAnOlderRemovalLeavesIt() {
        observed.set(inProgress());
        watcher.watch("t1", request, rollout, null, 0, 0, RolloutFixtures.log(RolloutFixtures.lines()));
        watcher.watch("t2", request, rollout, null, 0, 0, RolloutFixtures.log(RolloutFixtures.lines()));
        store.remove("pushdeploy", "web", "t1");
        assertEquals("t2", watches.get("pushdeploy/web").token());
    }

    @Test
    void anEventForARunThatLostItsLockDropsTheWatchAndResumesNothing() {
        observed.set(inProgress());
        waiting.put("t1", true);
        watcher.watch("t1", request, rollout, null, 0, 0, RolloutFixtures.log(RolloutFixtures.lines()));
        lockLost.set(true);
        observed.set(Snapshots.healthy());
        assertEquals(Optional.empty(), watcher.onEvent("pushdeploy", "web", null, RolloutFixtures.log(RolloutFixtures.lines())));
        assertEquals(List.of(), resumed);
        assertTrue(watches.isEmpty(), "the stale watch is gone");
    }

    @Test
    void theLeaseCoversTheWaitUntilTheFallbackRecheck() {
        observed.set(inProgress());
        watcher.watch("t1", request, rollout, null, 0, 0, RolloutFixtures.log(RolloutFixtures.lines()));
        watcher.onEvent("pushdeploy", "web", null, RolloutFixtures.log(RolloutFixtures.lines()));
        assertEquals(List.of(rollout.recheckSeconds(), rollout.recheckSeconds()), leases);
    }

    /**
     * The registration's check cannot observe the service before the deadline: ECS's final event may have come before the
     * token was stored, so the failure is thrown for the task's Retry to look again soon rather than left waiting for the
     * recheck; so {@link QuickRetry#RETRIES} times per wait, within {@link QuickRetry#SECONDS} of
     * its start. Then the task waits, as for a lost event; an event's look that cannot observe resumes the workflow to
     * watch again while the wait's retries last, and after them fails, for EventBridge to deliver the event again to the
     * watch that stayed.
     */
    @ParameterizedTest
    @CsvSource({"0, 0, true", "5, 0, true", "5, 89, true", "6, 0, false", "7, 0, false", "0, 90, false", "2, 300, false"})
    void aTransientFailureBeforeTheDeadlineHasTheTaskRetriedAFewTimesPerWait(int retries, int waitedSeconds, boolean retried) {
        waiting.put("t1", true);
        RolloutWatcher throttled = throttledWatcher(Snapshots.DEADLINE - 1);
        java.util.function.Supplier<CheckResult> watch = () -> throttled.watch("t1", request, rollout, null, retries,
                waitedSeconds * 1000L, RolloutFixtures.log(RolloutFixtures.lines()));

        if (retried) {
            assertTrue(assertThrows(TransientException.class, watch::get).getMessage().contains("ThrottlingException"));
            assertEquals(List.of(), resumed);
            assertEquals("t1", watches.get("pushdeploy/web").token());
            assertEquals(List.of(rollout.recheckSeconds()), leases);
            return;
        }
        CheckResult result = watch.get();
        assertEquals(Verdict.IN_PROGRESS, result.verdict());
        assertTrue(result.reason().contains("ThrottlingException"), result.reason());
        assertEquals(List.of(), resumed, "left waiting");
        if (retries < QuickRetry.RETRIES) {
            throttled.onEvent("pushdeploy", "web", null, RolloutFixtures.log(RolloutFixtures.lines()));
            assertEquals(List.of("t1 IN_PROGRESS"), resumed, "an event's look has the workflow watch again");
        } else {
            TransientException failed = assertThrows(TransientException.class,
                    () -> throttled.onEvent("pushdeploy", "web", null, RolloutFixtures.log(RolloutFixtures.lines())));
            assertTrue(failed.getMessage().contains("ThrottlingException"), failed.getMessage());
            assertEquals("t1", watches.get("pushdeploy/web").token(), "the watch stays for the event's next delivery");
        }
        assertEquals(List.of(rollout.recheckSeconds(), rollout.recheckSeconds()), leases, "each look renews the lease");
    }

    /** An event's check that cannot observe the service resumes the workflow IN_PROGRESS: it watches again at once. */
    @Test
    void anEventsCheckThatCannotObserveTheServiceHasTheWorkflowWatchAgain() {
        waiting.put("t1", true);
        observed.set(inProgress());
        watcher.watch("t1", request, rollout, null, 0, 0, RolloutFixtures.log(RolloutFixtures.lines()));

        CheckResult result = throttledWatcher(Snapshots.DEADLINE - 1).onEvent("pushdeploy", "web", null,
                RolloutFixtures.log(RolloutFixtures.lines())).orElseThrow();

        assertEquals(Verdict.IN_PROGRESS, result.verdict());
        assertTrue(result.reason().contains("ThrottlingException"), result.reason());
        assertEquals(List.of("t1 IN_PROGRESS"), resumed);
        assertTrue(watches.isEmpty(), "the workflow registers its next watch");
    }

    /**
     * Each resume by an event starts a new wait with quick retries of its own, so a run's resumes by events are counted:
     * after {@link QuickRetry#EVENT_RESUMES} an event's look that cannot observe fails, for EventBridge to deliver the
     * event again, and the watch stays; the service's next run counts afresh.
     */
    @Test
    void eventsResumeARunThatCannotObserveTheServiceABoundedNumberOfTimes() {
        RolloutWatcher throttled = throttledWatcher(Snapshots.DEADLINE - 1);
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= QuickRetry.EVENT_RESUMES + 1; i++) {
            waiting.put("t" + i, true);
            store.register(new Watch("t" + i, request, rollout, null, Long.MAX_VALUE, 0));
            if (i <= QuickRetry.EVENT_RESUMES) {
                throttled.onEvent("pushdeploy", "web", null, RolloutFixtures.log(RolloutFixtures.lines()));
                expected.add("t" + i + " IN_PROGRESS");
            }
        }
        TransientException failed = assertThrows(TransientException.class,
                () -> throttled.onEvent("pushdeploy", "web", null, RolloutFixtures.log(RolloutFixtures.lines())));

        assertTrue(failed.getMessage().contains("ThrottlingException"), failed.getMessage());
        assertEquals(expected, resumed);
        assertEquals("t" + (QuickRetry.EVENT_RESUMES + 1), watches.get("pushdeploy/web").token(), "the watch stays");

        waiting.put("next", true);
        store.register(new Watch("next", request.toBuilder().requestId("exec-0002").build(), rollout, null, Long.MAX_VALUE, 0));
        throttled.onEvent("pushdeploy", "web", null, RolloutFixtures.log(RolloutFixtures.lines()));
        assertEquals("next IN_PROGRESS", resumed.get(resumed.size() - 1));
    }

    @Test
    void aTransientFailurePastTheDeadlineEndsTheRolloutTimedOut() {
        waiting.put("t1", true);
        CheckResult result = throttledWatcher(Snapshots.DEADLINE).watch("t1", request, rollout, null, 0, 0,
                RolloutFixtures.log(RolloutFixtures.lines()));
        assertEquals(Verdict.TIMED_OUT, result.verdict());
        assertTrue(result.reason().contains("deadline passed") && result.reason().contains("ThrottlingException"), result.reason());
        assertEquals(List.of("t1 TIMED_OUT"), resumed);
        assertTrue(watches.isEmpty());
    }

    /** A watcher at {@code nowMillis} whose every look at the service is throttled beyond the SDK's retries. */
    private RolloutWatcher throttledWatcher(long nowMillis) {
        RolloutObserver throttled = (cluster, service, health) -> {
            throw new TransientException("ecs:ListTasks " + cluster + "/" + service
                    + " RUNNING failed transiently: ThrottlingException: Rate exceeded", null);
        };
        return new RolloutWatcher(new RolloutChecker(throttled, ConfigSource.of(ConfigParser.parse(CONFIG)),
                (r, seconds) -> leases.add(seconds), RolloutFixtures.clockAt(Instant.ofEpochMilli(nowMillis))), store, tokens);
    }

    private static Snapshots inProgress() {
        return Snapshots.healthy().deployments(Snapshots.primary(Snapshots.OURS, Snapshots.REV2, "IN_PROGRESS", 1, 2));
    }

    /**
     * The way back went to a copy of the deregistered web:1 (web:3), and the service is found back on the request's own
     * web:2: that is the rollback's failure (ECS took the way back back), judged against web:2, not someone else's
     * deployment, as it would be if web:3 were not known to stand for web:1.
     */
    @Test
    void aCheckOfTheWayBackToACopyIsTheRollbacksCheck() {
        String copy = Snapshots.REV2.replace("web:2", "web:3");
        Rollout back = new Rollout(Snapshots.ROLLBACK, copy, Snapshots.STARTED, Snapshots.DEADLINE, true, null, null, 0, Snapshots.REV1);
        observed.set(Snapshots.healthy().service(Snapshots.REV2).deployments(
                Snapshots.primary(Snapshots.OLD, Snapshots.REV2, "IN_PROGRESS", 1, 2),
                Snapshots.deployment(Snapshots.ROLLBACK, "ACTIVE", copy, "FAILED", "ECS deployment circuit breaker: tasks failed to start.", 0, 2, 3)));
        dev.pushdeploy.model.Release release = new dev.pushdeploy.model.Release(Snapshots.REV2, "web", 2, "web@sha256:" + "2".repeat(64), true);

        CheckResult result = watcher.watch("t1", request, back, release, 0, 0, RolloutFixtures.log(RolloutFixtures.lines()));

        assertEquals(Verdict.ROLLED_BACK_BY_ECS, result.verdict(), result.reason());
    }

    /**
     * The configuration was rewritten during the rollout, here into a document that does not parse: the check judges by
     * the version the run was prepared with (its smoke URL and alarms), not by the current one, and does not fail.
     */
    @Test
    void aCheckJudgesByTheConfigurationVersionTheRunWasPreparedWith() {
        String prepared = """
                {"targets": [{"repository": "web", "cluster": "pushdeploy", "service": "web", "container": "app",
                  "health": {"smokeUrl": "https://web.example/health", "alarms": ["web-5xx"]}}]}""";
        ConfigSource config = new ConfigSource() {
            @Override
            public PipelineConfig load() {
                throw new ConfigurationException("configuration: not valid JSON");
            }

            @Override
            public PipelineConfig load(Long version) {
                return version != null && version == 4 ? ConfigParser.parse(prepared).withVersion(4L) : load();
            }
        };
        List<Health> judgedBy = new ArrayList<>();
        RolloutObserver observer = (cluster, service, health) -> {
            judgedBy.add(health);
            return inProgress().build();
        };
        RolloutWatcher pinned = new RolloutWatcher(new RolloutChecker(observer, config, (r, seconds) -> leases.add(seconds),
                RolloutFixtures.clockAt(Instant.ofEpochMilli(Snapshots.STARTED + 60_000))), store, tokens);

        CheckResult result = pinned.watch("t1", request.toBuilder().configVersion(4L).build(), rollout, null, 0, 0,
                RolloutFixtures.log(RolloutFixtures.lines()));

        assertEquals(Verdict.IN_PROGRESS, result.verdict(), result.reason());
        assertEquals("https://web.example/health", judgedBy.get(0).smokeUrl());
        assertEquals(List.of("web-5xx"), judgedBy.get(0).alarms());
    }
}
