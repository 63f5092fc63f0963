package dev.pushdeploy.secrets;

import dev.pushdeploy.model.RotationResult;
import dev.pushdeploy.model.SecretSlot;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.config.SecretSpec;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.error.ConfigurationException;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.error.RotationFailedException;
import dev.pushdeploy.error.ServiceMovedException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.DeployRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import dev.pushdeploy.model.TaskDefinition;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.release.TaskDefinitions;
import dev.pushdeploy.rollout.ServiceReader;
import dev.pushdeploy.rollout.ServiceState;
import java.util.Map;

/**
 * Rotates every managed secret of a request's target into its inactive slot (docs/design.md, "Two secret slots").
 * The live slot (the one the request's previous revision references) is never written, so
 * running tasks and a rollback keep their values; a retry writes the same inactive slot again.
 * Every database role is rotated and proven before any slot is written: an unreachable
 * database fails the step with no slot written at all, and a step that fails after a role's password changed sets it
 * back to what the role's slot still holds, so that role and slot agree whatever ends the step. Nothing is written unless the service still runs the revision
 * the request was prepared from: the run holds the lock by now, but another run may have moved the service between its
 * Prepare and its Lock (while it waited for its image's scan), and then the slot it read as inactive may be live
 * ({@link dev.pushdeploy.error.ServiceMovedException}: the workflow prepares the run again, from where the service is).
 */
public final class SecretRotator {
    private final ConfigSource config;
    private final TaskDefinitions taskDefinitions;
    private final SlotStore store;
    private final RoleRotator roles;
    private final ServiceReader services;

    public SecretRotator(ConfigSource config, TaskDefinitions taskDefinitions, SlotStore store, RoleRotator roles, ServiceReader services) {
        this.config = config;
        this.taskDefinitions = taskDefinitions;
        this.services = services;
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
        PipelineConfig pipeline = config.load(request.configVersion());
        Target target = pipeline.forService(request.cluster(), request.service())
                .orElseThrow(() -> new ConfigurationException("no target is configured for service " + request.serviceKey()));
        stillOnThePreparedRevision(request);
        Map<String, String> liveSlots = liveSlots(request, target);
        List<Planned> plan = new ArrayList<>();
        for (SecretSpec spec : target.secrets()) {
            Optional<String> liveSlot = Optional.ofNullable(liveSlots.get(spec.name()));
            SecretSlot next = nextSlot(spec, liveSlot);
            plan.add(new Planned(spec, liveSlot.orElse(null), next.slot(), RandomValues.next(spec.length()), next.username()));
        }
        Map<String, MasterCredentials> masters = new HashMap<>();
        List<Planned> unwritten = new ArrayList<>();
        List<SecretSlot> slots = new ArrayList<>();
        try {
            for (Planned p : plan) {
                if (p.username() != null) {
                    MasterCredentials master = masters.computeIfAbsent(p.spec().postgres().masterParameter(), this::master);
                    unwritten.add(p); // before: a rotate that fails may have changed the password already (its proof failing after)
                    roles.rotate(p.spec().postgres(), master, liveRole(p), p.username(), p.value());
                }
            }
            for (Planned p : plan) {
                String parameter = p.spec().slotParameter(p.slot());
                long version = store.write(parameter, p.value(), pipeline.kmsKeyId());
                unwritten.remove(p);
                log.info("secret rotated", "secret", p.spec().name(), "kind", p.spec().kind(), "liveSlot", p.liveSlot(),
                        "slot", p.slot(), "parameter", parameter, "version", version, "username", p.username());
                slots.add(new SecretSlot(p.spec().name(), p.slot(), parameter, version,
                        p.username() == null ? null : p.spec().postgres().usernameEnv(), p.username()));
            }
        } catch (RuntimeException e) {
            putBack(unwritten, masters, e, log);
            throw e;
        }
        return new RotationResult(slots);
    }

    /**
     * Sets each role whose new password did not reach its slot back to the value its slot still holds, so that a failed
     * step leaves every role and its slot agreeing: a revision that reads the slot (an older release a rollback goes back
     * to) still logs in. A role that cannot be put back is added to {@code failure}.
     */
    private void putBack(List<Planned> unwritten, Map<String, MasterCredentials> masters, RuntimeException failure, StepLog log) {
        for (Planned p : unwritten) {
            String parameter = p.spec().slotParameter(p.slot());
            try {
                Optional<SecretValue> kept = store.read(parameter);
                if (kept.isPresent()) {
                    roles.rotate(p.spec().postgres(), masters.get(p.spec().postgres().masterParameter()), liveRole(p), p.username(), kept.get());
                    log.warn("slot not written; the role's password is set back to the slot's", "secret", p.spec().name(),
                            "role", p.username(), "parameter", parameter);
                }
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
                log.warn("slot not written and the role's password could not be set back to the slot's", "secret", p.spec().name(),
                        "role", p.username(), "parameter", parameter, "reason", e.getMessage());
            }
        }
    }

    private static String liveRole(Planned p) {
        return p.liveSlot() == null ? null : roleName(p.spec(), p.liveSlot());
    }

    /**
     * The slots a rotation of {@code target} would write, given the secrets its live revision
     * references ({@code version} null: nothing is written, no value is made). What a preview shows.
     */
    public static List<SecretSlot> plan(Target target, Map<String, String> live) {
        return target.secrets().stream().map(spec -> nextSlot(spec, Slots.live(spec, live))).toList();
    }

    private static SecretSlot nextSlot(SecretSpec spec, Optional<String> liveSlot) {
        String slot = Slots.next(liveSlot);
        boolean postgres = spec.kind() == SecretSpec.Kind.POSTGRES;
        return new SecretSlot(spec.name(), slot, spec.slotParameter(slot), null,
                postgres ? spec.postgres().usernameEnv() : null, postgres ? roleName(spec, slot) : null);
    }

    private void stillOnThePreparedRevision(DeployRequest request) {
        String prepared = request.previousTaskDefinition();
        if (prepared == null) {
            return;
        }
        ServiceState service = services.require(request.cluster(), request.service());
        if (!service.isOn(prepared)) {
            throw new ServiceMovedException(request.serviceKey() + " runs " + Revisions.shortName(service.taskDefinition()) + ", not "
                    + Revisions.shortName(prepared) + " as when this run was prepared: another run moved it since, so a slot this run read as"
                    + " inactive may be live; no secret is rotated");
        }
    }

    /** One secret's rotation, decided before anything changes. */
    private record Planned(SecretSpec spec, String liveSlot, String slot, SecretValue value, String username) {
    }

    /** The database role of a slot: {@code <role>_a} or {@code <role>_b}. */
    public static String roleName(SecretSpec spec, String slot) {
        return spec.postgres().role() + "_" + slot;
    }

    /**
     * The live slot of each managed secret (secret name → slot): the request's, as Prepare read
     * them from the previous revision, or else read from that revision (a request prepared without
     * them); none without a previous revision.
     */
    private Map<String, String> liveSlots(DeployRequest request, Target target) {
        if (request.liveSlots() != null) {
            request.liveSlots().forEach((secret, slot) -> {
                if (!Slots.A.equals(slot) && !Slots.B.equals(slot)) {
                    throw new InvalidRequestException("request.liveSlots." + secret, "'" + slot + "' is not a slot (a or b)");
                }
            });
            return request.liveSlots();
        }
        if (request.previousTaskDefinition() == null) {
            return Map.of();
        }
        return Slots.live(target.secrets(), liveSecrets(request.previousTaskDefinition(), target.container()));
    }

    /** The secret slots the container's release reads in the live revision (name → valueFrom). */
    private Map<String, String> liveSecrets(String taskDefinition, String container) {
        return taskDefinitions.require(taskDefinition).container(container)
                .map(TaskDefinition.Container::liveSecrets)
                .orElseThrow(() -> new ConfigurationException("container " + container + " is not in task definition " + taskDefinition));
    }

    private MasterCredentials master(String parameter) {
        return store.master(parameter)
                .orElseThrow(() -> new RotationFailedException("master credentials parameter " + parameter + " does not exist"));
    }
}
