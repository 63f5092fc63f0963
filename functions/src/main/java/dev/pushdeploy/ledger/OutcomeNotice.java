package dev.pushdeploy.ledger;

import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.Outcome;
import java.util.List;

/**
 * The outcome as published (SNS message body, EventBridge detail). Identifiers, outcome and
 * reasons only; never a secret value.
 *
 * @param reason   why the request ended so (for a failure: the original error or verdict)
 * @param error    the error name that ended the run, when an error did
 * @param rollback what the way back did, when there was one
 */
public record OutcomeNotice(
        String requestId,
        Outcome outcome,
        String reason,
        String error,
        String rollback,
        Action action,
        String service,
        String image,
        String taskDefinition,
        String previousTaskDefinition,
        String releaseTaskDefinition,
        List<String> deregistered,
        List<String> warnings) {
    /** SNS refuses a Subject that is not shorter than this ("less than 100 characters long", the Publish API). */
    public static final int SUBJECT_LIMIT = 100;

    public OutcomeNotice {
        deregistered = deregistered == null ? List.of() : List.copyOf(deregistered);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** What a history record says, as published. */
    public static OutcomeNotice of(String serviceKey, HistoryItem record) {
        return new OutcomeNotice(record.requestId(), record.outcome(), record.reason(), record.error(), record.rollback(),
                record.action(), serviceKey, record.image(), record.taskDefinition(), record.previousTaskDefinition(),
                record.releaseTaskDefinition(), record.deregistered(), record.warnings());
    }

    /** SNS subject: ASCII, fewer than 100 characters (SNS refuses a Subject of 100). */
    public String subject() {
        String subject = "pushdeploy " + outcome + " " + (service != null ? service : requestId);
        subject = subject.replaceAll("[^\\x20-\\x7E]", "?");
        return subject.length() < SUBJECT_LIMIT ? subject : subject.substring(0, SUBJECT_LIMIT - 1);
    }
}
