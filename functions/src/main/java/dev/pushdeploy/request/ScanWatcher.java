package dev.pushdeploy.request;

import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.error.TransientException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.QuickRetry;
import dev.pushdeploy.model.ScanResult;
import dev.pushdeploy.model.ScanStatus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Waits for an image scan by ECR's events instead of polling. The workflow's wait task registers its token
 * ({@link #watch}) and the gate checks once after the token is stored, so a scan that completed before is not
 * missed; each scan event of the image checks again ({@link #onScan}) and resumes the workflow once the gate's
 * answer is final. A lost event only delays until the wait task times out after the result's recheckSeconds and
 * the workflow watches again.
 *
 * <p>A look that cannot read the scan (throttling beyond the SDK's retries, a call cut off by its bound) before the
 * deadline is not waited out as a lost event, since the event may have come already: the registration's fails, so that
 * the task's Retry registers and looks again within seconds; an event's resumes the workflow PENDING, which watches again
 * at once. So as often as {@link QuickRetry} allows; then a throttle that lasts is waited out as a lost event is. Past the
 * deadline such a look answers TIMED_OUT, as the gate does.
 */
public final class ScanWatcher {
    /** How long a watch is kept after its run started, should nothing remove it (a stopped run). */
    static final long KEEP_SECONDS = 86_400;

    private final ScanGate gate;
    private final ScanWatches watches;
    private final ScanTokens tokens;
    private final Clock clock;

    public ScanWatcher(ScanGate gate, ScanWatches watches, ScanTokens tokens, Clock clock) {
        this.gate = gate;
        this.watches = watches;
        this.tokens = tokens;
        this.clock = clock;
    }

    /**
     * Registers the waiting task's token, then checks: a final answer resumes the workflow at once. A scan that could not be
     * read before the deadline is thrown, for the task's Retry, as {@link QuickRetry#registration} allows after
     * {@code retries} (the task's so far) in a wait that began {@code waitedMillis} ago; else the task waits.
     *
     * @throws TransientException when the scan could not be read and the task is to be retried
     */
    public ScanResult watch(String token, DeployRequest request, int retries, long waitedMillis, StepLog log) {
        if (request == null || request.serviceKey() == null || request.repository() == null || request.digest() == null) {
            throw new InvalidRequestException("request", "names no service, repository and digest whose scan to wait for");
        }
        if (token == null || token.isBlank()) {
            throw new InvalidRequestException("taskToken", "is empty");
        }
        long since = request.startedAt() == null ? clock.millis() : request.startedAt();
        ScanWatch watch = new ScanWatch(token, request, since / 1000 + KEEP_SECONDS, retries);
        Look look = look(watch, true, log);
        if (look.result().status() != ScanStatus.PENDING) {
            resume(watch, look.result(), log);
        } else if (look.unread() != null && QuickRetry.registration(retries, waitedMillis)) {
            throw look.unread();
        }
        return look.result();
    }

    /**
     * A scan event of {@code repository@digest}: checks each workflow waiting for a scan in the repository (the image
     * itself, or an index of which it is a platform image), resuming those answered, and those whose scan could not be read
     * while their wait has quick retries left (PENDING: they watch again). Another watch whose scan could not be read does
     * not keep the others from their answers; its failure is thrown after them, so that EventBridge delivers the event
     * again to the watches that stay.
     *
     * @throws TransientException when a waiting run's scan could not be read and its wait's quick retries, or the run's
     *                            resumes by events ({@link QuickRetry#EVENT_RESUMES}), are spent
     */
    public List<ScanResult> onScan(String repository, String digest, StepLog log) {
        List<ScanWatch> waiting = new ArrayList<>();
        for (ScanWatch watch : watches.find(repository)) {
            if (watch.expiresAt() <= clock.millis() / 1000) { // its run's wait ended long ago; the table's TTL has not yet deleted it
                watches.remove(watch);
            } else {
                waiting.add(watch);
            }
        }
        if (waiting.isEmpty()) {
            log.info("no workflow waits for this scan", "repository", repository, "digest", digest);
        }
        List<ScanResult> answers = new ArrayList<>();
        TransientException unread = null;
        RuntimeException failed = null;
        for (ScanWatch watch : waiting) {
            Look look;
            try {
                look = look(watch, false, log);
            } catch (RuntimeException e) { // one watch that cannot be judged keeps no other run from its answer
                log.warn("scan look failed", "request", watch.request().requestId(), "reason", e.getMessage());
                failed = failed == null ? e : failed;
                continue;
            }
            if (look.result().status() != ScanStatus.PENDING
                    || look.unread() != null && QuickRetry.event(watch.retries()) && watches.countResume(watch, QuickRetry.EVENT_RESUMES)) {
                resume(watch, look.result(), log);
            } else if (look.unread() != null) {
                unread = unread == null ? look.unread() : unread;
                continue;
            }
            answers.add(look.result());
        }
        if (unread != null) {
            throw unread;
        }
        if (failed != null) {
            throw failed;
        }
        return answers;
    }

    /** One look of the gate for a watch; {@code unread}: why the scan could not be read, null when it was. */
    private record Look(ScanResult result, TransientException unread) {
    }

    /** The gate's answer for the watch, after storing it when {@code register}. */
    private Look look(ScanWatch watch, boolean register, StepLog log) {
        try {
            if (register) {
                watches.register(watch);
            }
            return new Look(gate.check(watch.request()), null);
        } catch (TransientException e) {
            ScanResult result = gate.unread(watch.request(), e);
            log.warn("scan not read", "request", watch.request().requestId(), "status", result.status(), "reason", e.getMessage());
            return new Look(result, e);
        }
    }

    private void resume(ScanWatch watch, ScanResult result, StepLog log) {
        boolean resumed = tokens.succeed(watch.token(), result);
        log.info(resumed ? "workflow resumed" : "the workflow no longer waits for this token", "status", result.status(),
                "request", watch.request().requestId());
        watches.remove(watch);
    }
}
