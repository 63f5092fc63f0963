package dev.pushdeploy.ledger;

import dev.pushdeploy.model.Outcome;
import dev.pushdeploy.model.Action;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The record of one finished request ({@code svc#…} / {@code hist#<ISO time>#<requestId>}). Identifiers,
 * outcome and reason only; never a secret value.
 *
 * @param taskDefinition the service's task definition when the request finished
 * @param secretSlots    {@code NAME=slot} for each managed secret the request rotated
 * @param warnings       housekeeping that failed without failing the request (e.g. a deregistration)
 * @param published      whether the outcome notification went out (a retried Finalize does not send it twice)
 */
public record HistoryItem(
        String sortKey,
        String requestId,
        Action action,
        String source,
        Outcome outcome,
        String reason,
        String image,
        String digest,
        String tag,
        String taskDefinition,
        String previousTaskDefinition,
        String releaseTaskDefinition,
        String deploymentId,
        List<String> secretSlots,
        List<String> deregistered,
        List<String> warnings,
        String finishedAt,
        boolean published) {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    public HistoryItem {
        secretSlots = secretSlots == null ? List.of() : List.copyOf(secretSlots);
        deregistered = deregistered == null ? List.of() : List.copyOf(deregistered);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** {@code hist#<time>#<requestId>} with a fixed-width UTC time, so the sort key orders by time. */
    public static String sortKey(Instant time, String requestId) {
        return "hist#" + TIME.format(time) + "#" + requestId;
    }

    public static String time(Instant time) {
        return TIME.format(time);
    }
}
