package dev.pushdeploy.ledger;

class InMemoryReleaseParametersTest extends ReleaseParametersContract {
    private final InMemoryReleaseParameters parameters = new InMemoryReleaseParameters();

    @Override
    protected ReleaseParameters subject() {
        return parameters;
    }
}
