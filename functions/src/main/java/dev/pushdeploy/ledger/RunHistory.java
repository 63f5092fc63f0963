package dev.pushdeploy.ledger;

import dev.pushdeploy.model.StepError;
import java.util.Optional;

/** What an execution's own history says about where it was when it ended. */
@FunctionalInterface
public interface RunHistory {
    /**
     * The newest state the execution entered and the state document it entered it with; empty when it
     * entered none with a document (it ended at its start).
     */
    Optional<LastState> lastState(String executionArn);

    /**
     * @param state         the name of the state
     * @param document      its input, read as Finalize reads its own
     * @param finalizeError what a Catch on Finalize caught ({@code $.finalizeError}), if anything
     */
    record LastState(String state, Finalizer.Input document, StepError finalizeError) {
    }
}
