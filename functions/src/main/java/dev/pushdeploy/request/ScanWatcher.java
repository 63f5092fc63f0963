package dev.pushdeploy.request;

import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.error.TransientException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.DeployRequest;
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

    /** Registers the waiting task's token, then checks: a final answer resumes the workflow at once. */
    public ScanResult watch(String token, DeployRequest request, StepLog log) {
        if (request == null || request.serviceKey() == null || request.repository() == null || request.digest() == null) {
            throw new InvalidRequestException("request", "names no service, repository and digest whose scan to wait for");
        }
        if (token == null || token.isBlank()) {
            throw new InvalidRequestException("taskToken", "is empty");
        }
        long since = request.startedAt() == null ? clock.millis() : request.startedAt();
        ScanWatch watch = new ScanWatch(token, request, since / 1000 + KEEP_SECONDS);
        watches.register(watch);
        ScanResult result = gate.check(request);
        if (result.status() != ScanStatus.PENDING) {
            resume(watch, result, log);
        }
        return result;
    }

    /**
     * A scan event of {@code repository@digest}: checks each workflow waiting for a scan in the repository (the image
     * itself, or an index of which it is a platform image), resuming those answered. A watch whose scan could not be
     * read does not keep the others from their answers; its failure is thrown after them, so that EventBridge delivers
     * the event again to the watches that stay.
     *
     * @throws TransientException when a waiting run's scan could not be read
     */
    public List<ScanResult> onScan(String repository, String digest, StepLog log) {
        List<ScanWatch> waiting = watches.find(repository);
        if (waiting.isEmpty()) {
            log.info("no workflow waits for this scan", "repository", repository, "digest", digest);
        }
        List<ScanResult> answers = new ArrayList<>();
        TransientException unread = null;
        for (ScanWatch watch : waiting) {
            ScanResult result;
            try {
                result = gate.check(watch.request());
            } catch (TransientException e) {
                log.warn("scan not read", "request", watch.request().requestId(), "reason", e.getMessage());
                unread = unread == null ? e : unread;
                continue;
            }
            if (result.status() != ScanStatus.PENDING) {
                resume(watch, result, log);
            }
            answers.add(result);
        }
        if (unread != null) {
            throw unread;
        }
        return answers;
    }

    private void resume(ScanWatch watch, ScanResult result, StepLog log) {
        boolean resumed = tokens.succeed(watch.token(), result);
        log.info(resumed ? "workflow resumed" : "the workflow no longer waits for this token", "status", result.status(),
                "request", watch.request().requestId());
        watches.remove(watch);
    }
}
