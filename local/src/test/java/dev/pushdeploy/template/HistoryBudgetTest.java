package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.config.Health;
import dev.pushdeploy.ledger.LockService;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.request.ScanGate;
import dev.pushdeploy.model.QuickRetry;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every loop of the state machine ends by a deadline, and at the template's extreme settings the
 * longest execution still fits Step Functions' limits: 25,000 history events, the state machine's
 * TimeoutSeconds, and the lock's lease between two signs of the holder's progress.
 *
 * <p>Events per state (checked against real histories by AccountingIT): a Lambda Task 5 (entered,
 * scheduled, started, succeeded, exited) and 3 more per failed attempt; a Wait, Choice or Pass 2; the
 * execution's own start and end 2. The worst case walks the longest path: a scan that never completes
 * (polled until its deadline), a wait for the lock as long as any holder can keep it, a rollout and its
 * rollback that each run to the deadline with no ECS event ever waking the workflow (each watch task
 * times out and watches again), and the bake in between, after the steps up to StartDeployment ran twice (the service
 * moved before the run moved it, so it was prepared again, which happens at most once); every Task outside the loops uses all its
 * attempts, and every loop iteration's Task fails once before it succeeds, a wait for an event (the scan's, the
 * rollout's) as often as its quick retries allow ({@link QuickRetry#RETRIES}: its looks could not see what it waits for);
 * and ECS's and ECR's events resume the run's waits as often as a run allows ({@link QuickRetry#EVENT_RESUMES} for its
 * rollout and as many for its scan: each event's look could not see either), each resume a wait more, with all its
 * quick retries.
 */
public class HistoryBudgetTest {
    static final int HISTORY_LIMIT = 25_000;
    /** History events per state type, and per failed Lambda attempt. */
    public static final Map<String, Integer> EVENTS_PER_STATE = Map.of("Task", 5, "Wait", 2, "Choice", 2, "Pass", 2,
            "Succeed", 2, "Fail", 1);
    public static final int EVENTS_PER_FAILED_ATTEMPT = 3;
    public static final int EXECUTION_EVENTS = 2;

    private final JsonNode states;
    private final int deadline;
    private final int minDeadline;
    private final int bake;

    HistoryBudgetTest() throws IOException {
        states = Json.tree(Files.readString(Repo.ASL_FILE)).path("States");
        JsonNode parameters = Repo.template().root().path("Parameters");
        deadline = parameters.path("DeploymentDeadlineSeconds").path("MaxValue").asInt();
        minDeadline = parameters.path("DeploymentDeadlineSeconds").path("MinValue").asInt();
        bake = parameters.path("BakeSeconds").path("MaxValue").asInt();
    }

    @Test
    void theWorstCaseFitsTheHistoryLimit() {
        int scanWaits = scanWaits();
        int lockPolls = lockPolls();
        int rolloutChecks = watchesUntilTheDeadline();
        long events = EXECUTION_EVENTS + cost("Init")
                + allAttempts("ScanGate") + 2 * cost("ScanDecision")
                + (long) (scanWaits + QuickRetry.EVENT_RESUMES) * (cost("WaitForScan") + QuickRetry.RETRIES * EVENTS_PER_FAILED_ATTEMPT)
                + (long) QuickRetry.EVENT_RESUMES * cost("ScanDecision")
                + (long) lockPolls * (cost("WaitForLock") + cost("Prepare") + cost("Decide") + cost("Lock") + cost("LockDecision")
                        + 2 * EVENTS_PER_FAILED_ATTEMPT)
                + allAttempts("Prepare") + cost("Decide") + allAttempts("Lock") + cost("LockDecision")
                + cost("NeedRotation") + allAttempts("RotateSecrets") + cost("NeedRegistration") + allAttempts("RegisterTaskDefinition")
                + allAttempts("StartDeployment")
                + cost("ServiceMoved") + cost("PrepareAgain") + allAttempts("Prepare") + cost("Decide") + allAttempts("Lock")
                + cost("LockDecision") + cost("NeedRotation") + allAttempts("RotateSecrets") + cost("NeedRegistration")
                + allAttempts("RegisterTaskDefinition") + allAttempts("StartDeployment")
                + allAttempts("CheckDeployment") + cost("Verdict")
                + (long) rolloutChecks * (cost("WaitForRollout") + QuickRetry.RETRIES * EVENTS_PER_FAILED_ATTEMPT)
                + cost("Verdict")
                + cost("Bake") + allAttempts("CheckAfterBake") + cost("BakeVerdict")
                + allAttempts("Rollback") + cost("WasDeployed")
                + allAttempts("CheckRollback") + cost("RollbackVerdict")
                + (long) rolloutChecks * (cost("WaitForRollback") + QuickRetry.RETRIES * EVENTS_PER_FAILED_ATTEMPT)
                + cost("RollbackVerdict")
                + cost("RotationEnded") + cost("StartEnded") + cost("RollbackEnded")
                + cost("RollbackFailed") + allAttempts("Finalize") + cost("Outcome") + cost("RollbackFailedFail")
                + (long) QuickRetry.EVENT_RESUMES * Math.max(
                        cost("WaitForRollout") + cost("Verdict"), cost("WaitForRollback") + cost("RollbackVerdict"))
                + (long) QuickRetry.EVENT_RESUMES * QuickRetry.RETRIES * EVENTS_PER_FAILED_ATTEMPT;
        System.out.printf("worst case at DeploymentDeadlineSeconds=%d, BakeSeconds=%d: %d events (%d scan waits, %d lock polls, "
                + "%d checks each way, %d resumes by events of the rollout and as many of the scan)%n", deadline, bake, events, scanWaits, lockPolls, rolloutChecks,
                QuickRetry.EVENT_RESUMES);
        assertTrue(events <= HISTORY_LIMIT, events + " events in the worst case: the template must refuse these settings");
    }

    @Test
    void theStateMachinesTimeLimitNeverCutsALegitimateRunShort() {
        long lockWait = LockService.maxWaitSeconds(extreme());
        int recheck = Rollout.recheckSeconds(0, deadline * 1000L);
        long waits = (deadline + recheck - 1) / recheck;
        long holding = 2 * (taskSeconds("RotateSecrets") + taskSeconds("RegisterTaskDefinition") + taskSeconds("StartDeployment"))
                + taskSeconds("Prepare") + taskSeconds("Lock")
                + taskSeconds("CheckDeployment") + watching(recheck, waits, quickRetrySeconds("WaitForRollout", "CheckDeployment")) + bake
                + taskSeconds("CheckAfterBake") + taskSeconds("Rollback") + taskSeconds("CheckRollback")
                + watching(recheck, waits, quickRetrySeconds("WaitForRollback", "CheckRollback"));
        long scanning = ScanGate.DEFAULT_DEADLINE_SECONDS + ScanGate.MAX_RECHECK_SECONDS // the look that finds the deadline passed
                + scanWaits() * quickRetrySeconds("WaitForScan", "ScanGate");
        long longest = scanning + lockWait + holding + taskSeconds("Finalize");
        int limit = Json.tree(read()).path("TimeoutSeconds").asInt();
        System.out.printf("longest run: %d s (scanning %d s, holding the lock %d s, waiting for it at most %d s); TimeoutSeconds %d%n",
                longest, scanning, holding, lockWait, limit);
        assertTrue(holding <= lockWait, "a waiter waits as long as a holder can hold: " + holding + " > " + lockWait);
        assertTrue(limit >= longest && limit <= 2 * longest, "TimeoutSeconds " + limit + " vs the longest run " + longest);
        assertEquals(limit, Repo.template().root().path("Parameters").path("ReleaseTimeoutSeconds").path("Default").asInt(),
                "a release waits for a deployment as long as the deployment workflow may run");
    }

    @Test
    void aLiveHolderRenewsItsLeaseInTime() {
        long first = taskSeconds("RotateSecrets") + taskSeconds("RegisterTaskDefinition") + taskSeconds("StartDeployment")
                + taskSeconds("Prepare") + taskSeconds("Lock");
        System.out.printf("longest time from the lock's acquisition to the Lock of the run prepared again: %d s%n", first);
        assertTrue(first <= LockService.FIRST_LEASE_SECONDS, first + " s until the lease is granted again, more than the first lease allows");
        List<Long> gaps = List.of(
                taskSeconds("RotateSecrets") + taskSeconds("RegisterTaskDefinition") + taskSeconds("StartDeployment")
                        + taskSeconds("CheckDeployment"),
                Rollout.MAX_RECHECK_SECONDS + taskSeconds("CheckDeployment"),
                taskSeconds("Rollback") + taskSeconds("CheckRollback"),
                taskSeconds("CheckAfterBake"));
        long longest = gaps.stream().mapToLong(Long::longValue).max().orElseThrow();
        System.out.printf("longest time between two renewals of the lease (beyond the announced wait): %d s%n", longest);
        assertTrue(longest <= LockService.STEP_ALLOWANCE_SECONDS, longest + " s between renewals, more than the lease allows");
    }

    /**
     * How long a rollout's waits last until one finds the deadline passed: each up to {@code recheck} after its quick
     * retries ({@code quick}), so with no event the one after the {@code waits}-th; but an event's resume starts a wait at
     * any time, so one may begin just before the deadline and sit out its quick retries and its recheck after it.
     */
    private long watching(int recheck, long waits, long quick) {
        return Math.max(waits * (recheck + quick), deadline + recheck + quick);
    }

    /**
     * Watch tasks from the start of a rollout until its verdict when no event ever comes, at the deadline that
     * takes the most: each times out after the rollout's recheckSeconds (its TimeoutSecondsPath) and watches
     * again, and the one after the deadline ends it TIMED_OUT.
     */
    private int watchesUntilTheDeadline() {
        assertEquals("$.rollout.recheckSeconds", states.path("WaitForRollout").path("TimeoutSecondsPath").asText());
        assertEquals("$.rollback.recheckSeconds", states.path("WaitForRollback").path("TimeoutSecondsPath").asText());
        int most = 0;
        for (int seconds = minDeadline; seconds <= deadline; seconds++) {
            most = Math.max(most, seconds / Rollout.recheckSeconds(0, seconds * 1000L) + 2);
        }
        return most;
    }

    /**
     * Waits for the lock's turn until a waiter gives up, when no wake-up ever comes: each times out after
     * {@link LockService#turnWaitSeconds}, at most {@link LockService#MAX_TURN_WAIT_SECONDS}, sooner only when the
     * blocking lock's lease runs out, after which the lock is free or held anew with a lease of
     * {@link LockService#STEP_ALLOWANCE_SECONDS}: at most one short wait per long one.
     */
    private int lockPolls() {
        long max = LockService.maxWaitSeconds(extreme());
        assertEquals("$.lock.nextPollSeconds", states.path("WaitForLock").path("TimeoutSecondsPath").asText());
        assertTrue(LockService.STEP_ALLOWANCE_SECONDS >= LockService.MAX_TURN_WAIT_SECONDS);
        return 2 * (int) ((max + LockService.MAX_TURN_WAIT_SECONDS - 1) / LockService.MAX_TURN_WAIT_SECONDS) + 1;
    }

    /**
     * WaitForScan tasks from the gate's first PENDING answer until its final one when no scan event ever comes, at the
     * scan deadline that takes the most: each times out after the first answer's recheckSeconds and watches again,
     * and the one after the deadline answers TIMED_OUT.
     */
    private int scanWaits() {
        assertEquals("$.scan.recheckSeconds", states.path("WaitForScan").path("TimeoutSecondsPath").asText());
        int most = 0;
        for (int seconds = 10; seconds <= ScanGate.DEFAULT_DEADLINE_SECONDS; seconds++) {
            most = Math.max(most, seconds / ScanGate.recheckSeconds(seconds * 1000L) + 2);
        }
        return most;
    }

    private DeployRequest extreme() {
        assertTrue(deadline <= Health.MAX_DEADLINE_SECONDS, "the configuration accepts what the template does");
        return DeployRequest.builder().deadlineSeconds(deadline).bakeSeconds(bake).build();
    }

    private int cost(String state) {
        JsonNode body = states.path(state);
        assertTrue(body.isObject(), "no state " + state + " in the ASL");
        return events(body);
    }

    /**
     * A state's events when it runs once: a Task that waits for a task token has one more than a
     * direct Lambda Task (entered, scheduled, started, submitted, succeeded, exited).
     */
    public static int events(JsonNode state) {
        int events = EVENTS_PER_STATE.get(state.path("Type").asText());
        return state.path("Resource").asText().endsWith(".waitForTaskToken") ? events + 1 : events;
    }

    /** A Task's events when it uses every attempt its retriers allow. */
    private long allAttempts(String state) {
        return cost(state) + (long) EVENTS_PER_FAILED_ATTEMPT * (attempts(state) - 1);
    }

    private int attempts(String state) {
        int attempts = 1;
        for (JsonNode retrier : states.path(state).path("Retry")) {
            attempts += retrier.path("MaxAttempts").asInt(3);
        }
        return attempts;
    }

    /**
     * A wait's quick retries, before the attempt that waits: the last look retried starts within {@link QuickRetry#SECONDS}
     * of the wait's start and runs into the TimeoutSeconds of the check step that invokes the same function, then the
     * transient retrier's longest backoff.
     */
    private long quickRetrySeconds(String watch, String check) {
        JsonNode retrier = null;
        for (JsonNode each : states.path(watch).path("Retry")) {
            if (each.path("ErrorEquals").toString().contains("dev.pushdeploy.error.TransientException")) {
                retrier = each;
            }
        }
        assertTrue(retrier != null && retrier.path("MaxDelaySeconds").isNumber(), watch + " retries a TransientException, its backoff capped");
        return QuickRetry.SECONDS + states.path(check).path("TimeoutSeconds").asInt()
                + retrier.path("MaxDelaySeconds").asLong();
    }

    /**
     * A Task's longest time: every attempt runs into its TimeoutSeconds, with the longest backoff in between, then the
     * longest Wait its Catch goes through (until a lost invocation has ended) before the state it catches to.
     */
    private long taskSeconds(String state) {
        JsonNode task = states.path(state);
        return (long) attempts(state) * task.path("TimeoutSeconds").asInt(99_999_999) + backoffSeconds(task) + caughtWaitSeconds(task);
    }

    private long caughtWaitSeconds(JsonNode task) {
        long seconds = 0;
        for (JsonNode catcher : task.path("Catch")) {
            JsonNode next = states.path(catcher.path("Next").asText());
            if ("Wait".equals(next.path("Type").asText())) {
                seconds = Math.max(seconds, next.path("Seconds").asLong());
            }
        }
        return seconds;
    }

    /** The longest time a Task's retriers wait between its attempts, all of them used. */
    static long backoffSeconds(JsonNode task) {
        long seconds = 0;
        for (JsonNode retrier : task.path("Retry")) {
            double interval = retrier.path("IntervalSeconds").asDouble(1);
            double cap = retrier.path("MaxDelaySeconds").asDouble(Double.MAX_VALUE);
            for (int i = 0; i < retrier.path("MaxAttempts").asInt(3); i++) {
                seconds += (long) Math.ceil(Math.min(cap, interval * Math.pow(retrier.path("BackoffRate").asDouble(2), i)));
            }
        }
        return seconds;
    }

    private static String read() {
        try {
            return Files.readString(Repo.ASL_FILE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
