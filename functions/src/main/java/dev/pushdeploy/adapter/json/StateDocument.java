package dev.pushdeploy.adapter.json;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ledger.Finalizer;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.LockResult;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.RequestScoped;
import dev.pushdeploy.model.Result;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.model.RotationResult;
import dev.pushdeploy.model.ScanResult;
import dev.pushdeploy.model.StepError;

/**
 * The state document as the state machine passes it between states, bound from JSON: what Finalize
 * receives, and what the reconciler reads back from an execution's history. Catch outputs keep Step
 * Functions' shape ({@code {"Error", "Cause"}}) here and become {@link StepError}s for the domain.
 */
public record StateDocument(
        DeployRequest request,
        Result result,
        Release release,
        Rollout rollout,
        CheckResult check,
        Rollout rollback,
        CheckResult rollbackCheck,
        LockResult lock,
        ScanResult scan,
        RotationResult secrets,
        Caught error,
        Caught rollbackError,
        Caught finalizeError) implements RequestScoped {

    /** A Catch output: the error name and its cause (for Lambda errors, Lambda's JSON error document). */
    public record Caught(@JsonProperty("Error") String error, @JsonProperty("Cause") String cause) {
        /** The name, and the message: Lambda's {@code errorMessage} when the cause is its error document, else the cause. */
        public StepError toStepError() {
            return new StepError(error, message(cause));
        }

        static String message(String cause) {
            if (cause == null || !cause.stripLeading().startsWith("{")) {
                return cause;
            }
            try {
                JsonNode parsed = Json.tree(cause);
                JsonNode message = parsed.path("errorMessage");
                return message.isTextual() && !message.asText().isBlank() ? message.asText() : cause;
            } catch (IllegalArgumentException notJson) {
                return cause;
            }
        }
    }

    /** What Finalize (and the reconciler) work from. */
    public Finalizer.Input input() {
        return new Finalizer.Input(request, result, release, rollout, check, rollback, rollbackCheck, lock, scan, secrets,
                stepError(error), stepError(rollbackError));
    }

    public StepError finalizeFailure() {
        return stepError(finalizeError);
    }

    private static StepError stepError(Caught caught) {
        return caught == null ? null : caught.toStepError();
    }
}
