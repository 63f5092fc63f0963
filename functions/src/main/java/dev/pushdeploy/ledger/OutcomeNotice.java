package dev.pushdeploy.ledger;

import dev.pushdeploy.model.Outcome;
import dev.pushdeploy.model.Action;
import java.util.List;

/**
 * The outcome as published (SNS message body, EventBridge detail). Identifiers, outcome and
 * reason only; never a secret value.
 */
public record OutcomeNotice(
        String requestId,
        Outcome outcome,
        String reason,
        Action action,
        String service,
        String image,
        String taskDefinition,
        String previousTaskDefinition,
        String releaseTaskDefinition,
        List<String> deregistered,
        List<String> warnings) {
    public OutcomeNotice {
        deregistered = deregistered == null ? List.of() : List.copyOf(deregistered);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** SNS subject: ASCII, at most 100 characters. */
    public String subject() {
        String subject = "pushdeploy " + outcome + " " + (service != null ? service : requestId);
        subject = subject.replaceAll("[^\\x20-\\x7E]", "?");
        return subject.length() <= 100 ? subject : subject.substring(0, 100);
    }
}
