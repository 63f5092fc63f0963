package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.rollout.TaskTokens;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.InvalidTokenException;
import software.amazon.awssdk.services.sfn.model.TaskDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.TaskTimedOutException;
import java.util.function.Supplier;

/** {@link TaskTokens} through Step Functions' SendTaskSuccess; the result is the task's output. */
public final class SfnTaskTokens implements TaskTokens {
    private final Supplier<SfnClient> sfn;

    /** @param sfn the client, built on first use (a path that never calls it never builds it) */
    public SfnTaskTokens(Supplier<SfnClient> sfn) {
        this.sfn = sfn;
    }

    @Override
    public boolean succeed(String token, CheckResult result) {
        try {
            AwsCall.exec("states:SendTaskSuccess", () -> sfn.get().sendTaskSuccess(r -> r.taskToken(token).output(Json.write(result))));
            return true;
        } catch (dev.pushdeploy.error.AwsFailureException e) {
            if (e.getCause() instanceof TaskTimedOutException || e.getCause() instanceof InvalidTokenException
                    || e.getCause() instanceof TaskDoesNotExistException) {
                return false;
            }
            throw e;
        }
    }
}
