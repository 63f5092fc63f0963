package dev.pushdeploy.secrets;

import dev.pushdeploy.adapter.json.MasterCredentialsJson;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** SSM SecureStrings in memory: every version of every parameter, and the order of writes. */
public final class InMemorySlotStore implements SlotStore {
    record Write(String parameter, String value, String kmsKeyId, long version) {
    }

    final Map<String, List<String>> versions = new HashMap<>();
    final List<Write> writes = new ArrayList<>();

    InMemorySlotStore put(String parameter, String value) {
        versions.computeIfAbsent(parameter, p -> new ArrayList<>()).add(value);
        return this;
    }

    String latest(String parameter) {
        List<String> values = versions.get(parameter);
        return values == null ? null : values.get(values.size() - 1);
    }

    @Override
    public Optional<SecretValue> read(String parameter) {
        return Optional.ofNullable(latest(parameter)).map(SecretValue::of);
    }

    @Override
    public Optional<MasterCredentials> master(String parameter) {
        return read(parameter).map(document -> MasterCredentialsJson.parse(parameter, document));
    }

    @Override
    public long write(String parameter, SecretValue value, String kmsKeyId) {
        List<String> values = versions.computeIfAbsent(parameter, p -> new ArrayList<>());
        values.add(value.reveal());
        writes.add(new Write(parameter, value.reveal(), kmsKeyId, values.size()));
        return values.size();
    }
}
