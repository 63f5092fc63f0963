package dev.pushdeploy.ledger;

class InMemoryLedgerTest extends LedgerTableContract {
    private final InMemoryLedger fake = new InMemoryLedger();

    @Override
    protected LedgerTable subject() {
        return fake;
    }
}
