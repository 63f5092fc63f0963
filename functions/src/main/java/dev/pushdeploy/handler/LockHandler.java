package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.adapter.aws.DynamoLedger;
import dev.pushdeploy.adapter.aws.SfnExecutions;
import dev.pushdeploy.adapter.aws.SfnTaskTokens;
import dev.pushdeploy.ledger.Executions;
import dev.pushdeploy.ledger.LedgerTable;
import dev.pushdeploy.ledger.LockTurns;
import dev.pushdeploy.model.LockResult;
import dev.pushdeploy.ledger.LockService;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.RequestScoped;
import java.time.Clock;

/**
 * Lock: one deployment per service → {@code $.lock} (ACQUIRED, WAITING, SUPERSEDED, DUPLICATE, TIMED_OUT). With a
 * {@code taskToken}, WaitForLock's wait for the request's turn (the answer is not read; a wake-up ends the wait).
 */
public final class LockHandler extends StepHandler<LockHandler.Input, LockResult> {
    /** {@code $.request}, and WaitForLock's task token. */
    public record Input(DeployRequest request, String taskToken) implements RequestScoped {
        public Input(DeployRequest request) {
            this(request, null);
        }
    }

    private final LockService locks;

    /** Wired from the environment, as Lambda runs it. */
    public LockHandler() {
        this(Clock.systemUTC());
    }

    /** Wired from the environment, reading time from {@code clock}. */
    public LockHandler(Clock clock) {
        this(Env.require(Env.TABLE_NAME), clock);
    }

    private LockHandler(String table, Clock clock) {
        this(new DynamoLedger(Aws.dynamoDb(), table), new SfnExecutions(Aws::sfn), new SfnTaskTokens(Aws::sfn), clock);
    }

    public LockHandler(LedgerTable table, Executions executions, LockTurns turns, Clock clock) {
        super(Input.class, "Lock");
        this.locks = new LockService(table, executions, turns, clock);
    }

    @Override
    protected Input primingInput(PrimingSample sample) {
        return new Input(sample.request(), null);
    }

    @Override
    protected LockResult handle(Input input, StepLog log) {
        LockResult result = input.taskToken() == null ? locks.acquire(input.request())
                : locks.awaitTurn(input.request(), input.taskToken());
        log.info("lock", "status", result.status(), "holder", result.holder(), "reason", result.reason());
        return result;
    }
}
