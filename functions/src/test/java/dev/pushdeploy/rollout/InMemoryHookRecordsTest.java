package dev.pushdeploy.rollout;

/** The hook records contract against the in-memory fake. */
class InMemoryHookRecordsTest extends HookRecordsContract {
    private final InMemoryHookRecords records = new InMemoryHookRecords();

    @Override
    protected HookRecords subject() {
        return records;
    }
}
