package dev.pushdeploy.ledger;

import dev.pushdeploy.model.Outcome;
import dev.pushdeploy.model.RotationResult;
import java.util.List;

/**
 * How a run ended, as Finalize or the reconciler worked it out: what goes into the history record and
 * the notification besides what the ledger and ECS say.
 *
 * @param reason       why (for a failure: the original error or verdict, never the rollback's summary)
 * @param error        the error name that ended the run, null when a verdict or a decision did
 * @param rollback     what the way back did, null when there was none
 * @param release      the revision the request registered or deployed
 * @param deploymentId the ECS deployment the request started
 * @param verified     the revision the run saw healthy and live at its end, else null
 * @param reach        how far the rollout got (strategy, stage, highest production share); null without a check
 * @param notes        what the record should also say (e.g. that Finalize did not run)
 */
public record Ending(Outcome outcome, String reason, String error, String rollback, String release, String deploymentId,
                     RotationResult secrets, String verified, RolloutReach reach, List<String> notes) {
    public Ending {
        notes = notes == null ? List.of() : List.copyOf(notes);
    }
}
