package dev.pushdeploy.rollout;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** {@link HookRecords} in memory, with the adapter's semantics (see {@link HookRecordsContract}). */
public final class InMemoryHookRecords implements HookRecords {
    private final Map<String, HookRecord> records = new ConcurrentHashMap<>();

    @Override
    public void record(HookRecord invocation) {
        records.merge(invocation.serviceDeploymentArn(), invocation, (old, now) -> new HookRecord(now.serviceDeploymentArn(),
                now.serviceKey(), now.stage(), Math.max(old.productionPercent(), now.productionPercent()), now.status(),
                old.failure() != null ? old.failure() : now.failure(), now.at()));
    }

    @Override
    public Optional<HookRecord> find(String serviceDeploymentArn) {
        return Optional.ofNullable(records.get(serviceDeploymentArn));
    }
}
