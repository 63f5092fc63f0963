package dev.pushdeploy.ledger;

import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.Outcome;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The record of one finished request ({@code svc#…} / {@code hist#<ISO time>#<requestId>}). Identifiers,
 * outcome and reasons only; never a secret value.
 *
 * @param reason                 why the request ended so: for a failure the original error or verdict
 * @param error                  the name of the error that ended the run (an exception class or {@code States.*}),
 *                               null when a verdict or a decision ended it
 * @param rollback               what the way back did ("back on web:4, healthy: …", "rollback failed: …");
 *                               null when there was no way back to go
 * @param taskDefinition         the service's task definition when the request finished
 * @param verifiedTaskDefinition the revision this request saw healthy and live at its end (SUCCEEDED: the new one,
 *                               ROLLED_BACK: the one it returned to); null otherwise. Rollback targets come from these.
 * @param reach                  how far the rollout got (strategy, stage reached, highest production share);
 *                               null when the run checked no rollout
 * @param secretSlots            {@code NAME=slot} for each managed secret the request rotated
 * @param warnings               housekeeping that failed without failing the request (e.g. a deregistration)
 * @param recordedBy             {@code Finalize}, or {@code reconciler} when the execution ended without Finalize
 * @param undoneBy               the request that undid this run afterwards (a release rolling back a service it
 *                               moved) and completed this record with the outcome; null otherwise
 * @param published              whether the outcome notification went out (nobody sends it twice)
 */
public record HistoryItem(
        String sortKey,
        String requestId,
        Action action,
        String source,
        Outcome outcome,
        String reason,
        String error,
        String rollback,
        String image,
        String digest,
        String tag,
        String taskDefinition,
        String previousTaskDefinition,
        String releaseTaskDefinition,
        String verifiedTaskDefinition,
        String deploymentId,
        RolloutReach reach,
        List<String> secretSlots,
        List<String> deregistered,
        List<String> warnings,
        String finishedAt,
        String recordedBy,
        String undoneBy,
        boolean published) {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    public HistoryItem {
        secretSlots = secretSlots == null ? List.of() : List.copyOf(secretSlots);
        deregistered = deregistered == null ? List.of() : List.copyOf(deregistered);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /**
     * What an operator reads first: the reason, and for ROLLBACK_FAILED what the way back ran into before it, since the
     * service is then neither on the new revision nor known healthy on the old one.
     */
    public String summary() {
        return outcome == Outcome.ROLLBACK_FAILED && rollback != null && !rollback.isBlank() && reason != null
                ? rollback + "; rolled back because: " + reason : reason;
    }

    /** {@code hist#<time>#<requestId>} with a fixed-width UTC time, so the sort key orders by time. */
    public static String sortKey(Instant time, String requestId) {
        return "hist#" + TIME.format(time) + "#" + requestId;
    }

    public static String time(Instant time) {
        return TIME.format(time);
    }

    /** The same record, marked as published. */
    public HistoryItem asPublished() {
        return withPublished(true);
    }

    /** The same record with the published flag set to {@code value}. */
    public HistoryItem withPublished(boolean value) {
        return new HistoryItem(sortKey, requestId, action, source, outcome, reason, error, rollback, image, digest, tag,
                taskDefinition, previousTaskDefinition, releaseTaskDefinition, verifiedTaskDefinition, deploymentId,
                reach, secretSlots, deregistered, warnings, finishedAt, recordedBy, undoneBy, value);
    }
}
