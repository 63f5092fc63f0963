package dev.pushdeploy.rollout;

/** The rollout watches' contract against the in-memory fake. */
class InMemoryRolloutWatchesTest extends RolloutWatchesContract {
    private final InMemoryRolloutWatches watches = new InMemoryRolloutWatches();

    @Override
    protected RolloutWatches subject() {
        return watches;
    }
}
