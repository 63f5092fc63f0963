package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.request.SlotParameters;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * {@link SlotParameters} over SSM GetParameters (ten names a call, as SSM takes at most), which lists the names it
 * found no parameter of; nothing is decrypted.
 */
public final class SsmSlotParameters implements SlotParameters {
    private static final int NAMES_PER_CALL = 10;

    private final Supplier<SsmClient> ssm;

    /** @param ssm the client, built on first use (only a rollback asks) */
    public SsmSlotParameters(Supplier<SsmClient> ssm) {
        this.ssm = ssm;
    }

    @Override
    public List<String> absent(List<String> names) {
        Set<String> invalid = new HashSet<>();
        for (int from = 0; from < names.size(); from += NAMES_PER_CALL) {
            List<String> some = names.subList(from, Math.min(names.size(), from + NAMES_PER_CALL));
            invalid.addAll(AwsCall.run("ssm:GetParameters " + String.join(", ", some), () ->
                    ssm.get().getParameters(r -> r.names(some).withDecryption(false)).invalidParameters()));
        }
        return names.stream().filter(invalid::contains).toList();
    }
}
