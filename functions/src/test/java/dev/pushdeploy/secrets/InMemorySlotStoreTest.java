package dev.pushdeploy.secrets;

class InMemorySlotStoreTest extends SlotStoreContract {
    private final InMemorySlotStore fake = new InMemorySlotStore();

    @Override
    protected SlotStore subject() {
        return fake;
    }
}
