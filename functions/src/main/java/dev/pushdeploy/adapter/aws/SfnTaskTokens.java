package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.ledger.LockTurns;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.ScanResult;
import dev.pushdeploy.request.ScanTokens;
import dev.pushdeploy.rollout.TaskTokens;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.InvalidTokenException;
import software.amazon.awssdk.services.sfn.model.TaskDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.TaskTimedOutException;
import java.util.function.Supplier;

/**
 * {@link TaskTokens}, {@link ScanTokens} and {@link LockTurns} through Step Functions' SendTaskSuccess: a check's or a
 * scan gate's result is the task's output, a turn's is empty.
 */
public final class SfnTaskTokens implements TaskTokens, ScanTokens, LockTurns {
    private final Supplier<SfnClient> sfn;

    /** @param sfn the client, built on first use (a path that never calls it never builds it) */
    public SfnTaskTokens(Supplier<SfnClient> sfn) {
        this.sfn = sfn;
    }

    @Override
    public boolean succeed(String token, CheckResult result) {
        return send(token, Json.write(result));
    }

    @Override
    public boolean succeed(String token, ScanResult result) {
        return send(token, Json.write(result));
    }

    @Override
    public boolean wake(String token) {
        return send(token, "{}");
    }

    private boolean send(String token, String output) {
        try {
            AwsCall.exec("states:SendTaskSuccess", () -> sfn.get().sendTaskSuccess(r -> r.taskToken(token).output(output)));
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
