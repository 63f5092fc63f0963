package dev.pushdeploy.ledger;

import dev.pushdeploy.error.RunInterruptedException;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.rollout.RolloutChecker;
import java.time.Clock;

/**
 * The lock's lease following its holder's progress: every rollout check moves it to the time of the
 * next check plus {@link LockService#STEP_ALLOWANCE_SECONDS}.
 */
public final class Lease implements RolloutChecker.Progress {
    private final LedgerTable table;
    private final Clock clock;

    public Lease(LedgerTable table, Clock clock) {
        this.table = table;
        this.clock = clock;
    }

    /** @throws RunInterruptedException when the request no longer holds the lock: it must not touch the service */
    @Override
    public void checked(DeployRequest request, int nextCheckSeconds) {
        String key = request.serviceKey();
        long until = clock.millis() / 1000 + Math.max(0, nextCheckSeconds) + LockService.STEP_ALLOWANCE_SECONDS;
        if (!table.renewLock(key, request.requestId(), until)) {
            String holder = table.lock(key).map(LockItem::holder).orElse(null);
            throw new RunInterruptedException("request " + request.requestId() + " no longer holds the lock of " + key
                    + (holder == null ? "" : " (request " + holder + " does)") + "; the service is left as it is");
        }
    }
}
