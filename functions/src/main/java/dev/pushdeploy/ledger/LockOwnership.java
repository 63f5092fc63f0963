package dev.pushdeploy.ledger;

import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.rollout.DeploymentStarter;

/**
 * Whether a request holds its service's lock, read from the ledger (strongly consistent): not once the
 * reconciler has taken its run over ({@link LockItem#closing}).
 */
public final class LockOwnership implements DeploymentStarter.Ownership {
    private final LedgerReader ledger;

    public LockOwnership(LedgerReader ledger) {
        this.ledger = ledger;
    }

    @Override
    public boolean holds(DeployRequest request) {
        return ledger.lock(request.serviceKey()).filter(l -> request.requestId().equals(l.holder()) && !l.closing()).isPresent();
    }
}
