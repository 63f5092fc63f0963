package dev.pushdeploy.secrets;

import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.config.SecretSpec;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.error.ConfigurationException;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.error.RotationFailedException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.request.DeployRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.ecs.model.Secret;

/**
 * Rotates every managed secret of a request's target into its inactive slot (DESIGN 3.1).
 * The live slot (the one the request's previous revision references) is never written, so
 * running tasks and a rollback keep their values; a retry writes the same inactive slot again.
 */
public final class SecretRotator {
    private final ConfigSource config;
    private final LiveSecrets liveSecrets;
    private final SlotStore store;
    private final RoleRotator roles;

    public SecretRotator(ConfigSource config, LiveSecrets liveSecrets, SlotStore store, RoleRotator roles) {
        this.config = config;
        this.liveSecrets = liveSecrets;
        this.store = store;
        this.roles = roles;
    }

    public RotationResult rotate(DeployRequest request, StepLog log) {
        if (request == null) {
            throw new InvalidRequestException("request", "is required");
        }
        if (!request.rotate()) {
            log.info("rotation not requested", "action", request.action());
            return new RotationResult(List.of());
        }
        PipelineConfig pipeline = config.load();
        Target target = pipeline.forService(request.cluster(), request.service())
                .orElseThrow(() -> new ConfigurationException("no target is configured for service " + request.serviceKey()));
        List<Secret> live = request.previousTaskDefinition() == null
                ? List.of()
                : liveSecrets.of(request.previousTaskDefinition(), target.container());
        List<SecretSlot> slots = new ArrayList<>();
        for (SecretSpec spec : target.secrets()) {
            Optional<String> liveSlot = Slots.live(spec, live);
            String slot = Slots.next(liveSlot);
            String parameter = spec.slotParameter(slot);
            SecretValue value = RandomValues.next(spec.length());
            String username = null;
            if (spec.kind() == SecretSpec.Kind.POSTGRES) {
                username = roleName(spec, slot);
                MasterCredentials master = master(spec.postgres().masterParameter());
                roles.rotate(spec.postgres(), master, liveSlot.map(s -> roleName(spec, s)).orElse(null), username, value);
            }
            long version = store.write(parameter, value, pipeline.kmsKeyId());
            log.info("secret rotated", "secret", spec.name(), "kind", spec.kind(), "liveSlot", liveSlot.orElse(null),
                    "slot", slot, "parameter", parameter, "version", version, "username", username);
            slots.add(new SecretSlot(spec.name(), slot, parameter, version,
                    username == null ? null : spec.postgres().usernameEnv(), username));
        }
        return new RotationResult(slots);
    }

    /** The database role of a slot: {@code <role>_a} or {@code <role>_b}. */
    public static String roleName(SecretSpec spec, String slot) {
        return spec.postgres().role() + "_" + slot;
    }

    private MasterCredentials master(String parameter) {
        SecretValue document = store.read(parameter)
                .orElseThrow(() -> new RotationFailedException("master credentials parameter " + parameter + " does not exist"));
        return MasterCredentials.parse(parameter, document);
    }
}
