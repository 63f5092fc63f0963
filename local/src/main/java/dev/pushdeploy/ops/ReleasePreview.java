package dev.pushdeploy.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.ledger.LedgerReader;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.SecretSlot;
import dev.pushdeploy.release.ReleaseDerivation;
import dev.pushdeploy.release.Revision;
import dev.pushdeploy.release.TaskDefinitions;
import dev.pushdeploy.request.ImageRegistry;
import dev.pushdeploy.request.Preparer;
import dev.pushdeploy.request.ServiceReader;
import dev.pushdeploy.secrets.SecretRotator;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;

/**
 * What a deploy of an image would register, without registering it: the pipeline's own steps run
 * in their read-only parts — Prepare decides, the rotation plans its slots (no value is made, no
 * slot written), the release derivation builds the registration request — and the result is
 * compared with the live revision. Nothing here writes to AWS.
 */
final class ReleasePreview {
    /** Where the new revision names the request (its environment and tags): the execution name a deploy gets. */
    static final String EXECUTION_PLACEHOLDER = "<execution name>";

    private final Preparer preparer;
    private final TaskDefinitions taskDefinitions;

    ReleasePreview(ConfigSource config, ImageRegistry registry, ServiceReader services, LedgerReader ledger,
                   TaskDefinitions taskDefinitions, Clock clock) {
        this.preparer = new Preparer(config, registry, services, ledger, clock);
        this.taskDefinitions = taskDefinitions;
    }

    Reports.Diff diff(Target target, ObjectNode deployInput, String requestId) {
        DeployRequest request = preparer.prepare(deployInput, requestId);
        String live = Revisions.shortName(request.previousTaskDefinition());
        if (request.decision() != Decision.PROCEED) {
            return new Reports.Diff(target.serviceKey(), request.image(), request.decision().name(), request.decisionReason(),
                    live, null, List.of(), 0);
        }
        Revision current = taskDefinitions.describe(request.previousTaskDefinition());
        ContainerDefinition container = current.definition().containerDefinitions().stream()
                .filter(c -> c.name().equals(target.container())).findFirst().orElseThrow(() -> new IllegalStateException(
                        "the live revision " + live + " has no container " + target.container()));
        List<SecretSlot> slots = request.rotate() ? SecretRotator.plan(target, container.secrets()) : List.of();
        ReleaseDerivation.Derived derived = ReleaseDerivation.derive(current.definition(), current.tags(), request, slots,
                target.container());
        String family = current.definition().family();
        int newest = taskDefinitions.newest(family, 1).stream().mapToInt(Revisions::revision).max().orElse(current.definition().revision());
        Map<String, String> before = fields(current.definition(), current.tags(), target.container());
        Map<String, String> after = fields(derived.request(), target.container());
        List<Reports.Change> changes = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>(before.keySet());
        names.addAll(after.keySet());
        int unchanged = 0;
        for (String name : names) {
            if (Objects.equals(before.get(name), after.get(name))) {
                unchanged++;
            } else {
                changes.add(new Reports.Change(name, before.get(name), after.get(name)));
            }
        }
        return new Reports.Diff(target.serviceKey(), derived.image(), request.decision().name(), request.reason(), live,
                family + ":" + (newest + 1), changes.stream().map(c -> new Reports.Change(c.field(), c.live(),
                        c.next() == null ? null : c.next().replace(requestId, EXECUTION_PLACEHOLDER))).toList(), unchanged);
    }

    private static Map<String, String> fields(TaskDefinition td, List<Tag> tags, String container) {
        Map<String, String> fields = new LinkedHashMap<>();
        td.containerDefinitions().stream().filter(c -> c.name().equals(container)).findFirst()
                .ifPresent(c -> container(fields, c));
        task(fields, td.cpu(), td.memory(), td.taskRoleArn(), td.executionRoleArn(), td.networkModeAsString());
        others(fields, td.containerDefinitions(), container);
        tags.forEach(t -> fields.put("tag " + t.key(), t.value()));
        return fields;
    }

    private static Map<String, String> fields(RegisterTaskDefinitionRequest td, String container) {
        Map<String, String> fields = new LinkedHashMap<>();
        td.containerDefinitions().stream().filter(c -> c.name().equals(container)).findFirst()
                .ifPresent(c -> container(fields, c));
        task(fields, td.cpu(), td.memory(), td.taskRoleArn(), td.executionRoleArn(), td.networkModeAsString());
        others(fields, td.containerDefinitions(), container);
        td.tags().forEach(t -> fields.put("tag " + t.key(), t.value()));
        return fields;
    }

    /** The deployed container: image, secrets and environment one by one, the rest as one field. */
    private static void container(Map<String, String> fields, ContainerDefinition c) {
        fields.put("image", c.image());
        c.secrets().forEach(s -> fields.put("secret " + s.name(), s.valueFrom()));
        c.environment().forEach(e -> fields.put("environment " + e.name(), e.value()));
        fields.put("container " + c.name() + " (other settings)", c.toBuilder().image(null).secrets((java.util.Collection<software.amazon.awssdk.services.ecs.model.Secret>) null)
                .environment((java.util.Collection<software.amazon.awssdk.services.ecs.model.KeyValuePair>) null).build().toString());
    }

    private static void task(Map<String, String> fields, String cpu, String memory, String taskRole, String executionRole, String network) {
        fields.put("cpu", cpu);
        fields.put("memory", memory);
        fields.put("taskRoleArn", taskRole);
        fields.put("executionRoleArn", executionRole);
        fields.put("networkMode", network);
    }

    private static void others(Map<String, String> fields, List<ContainerDefinition> containers, String deployed) {
        containers.stream().filter(c -> !c.name().equals(deployed)).forEach(c -> fields.put("container " + c.name(), c.toString()));
    }
}
