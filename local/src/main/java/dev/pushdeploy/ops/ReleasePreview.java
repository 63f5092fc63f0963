package dev.pushdeploy.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.adapter.json.InputParser;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.ledger.LedgerReader;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.SecretSlot;
import dev.pushdeploy.model.TaskDefinition;
import dev.pushdeploy.release.ReleaseDerivation;
import dev.pushdeploy.rollout.AlarmStates;
import dev.pushdeploy.release.RevisionChange;
import dev.pushdeploy.release.TaskDefinitions;
import dev.pushdeploy.request.ImageRegistry;
import dev.pushdeploy.request.Pipeline;
import dev.pushdeploy.request.Preparer;
import dev.pushdeploy.rollout.ServiceReader;
import dev.pushdeploy.rollout.ServiceState;
import dev.pushdeploy.secrets.SecretRotator;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a deploy of an image would register, without registering it: the pipeline's own steps run
 * in their read-only parts — Prepare decides, the rotation plans its slots (no value is made, no
 * slot written), the release derivation builds the registration request — and the result is
 * compared with the live revision. Nothing here writes to AWS.
 */
final class ReleasePreview {
    /** Where the new revision names the request (its environment and tags): the execution name a deploy gets. */
    static final String EXECUTION_PLACEHOLDER = "<execution name>";

    private final ConfigSource config;
    private final ImageRegistry registry;
    private final ServiceReader services;
    private final LedgerReader ledger;
    private final TaskDefinitions taskDefinitions;
    private final AlarmStates alarms;
    private final Clock clock;

    ReleasePreview(ConfigSource config, ImageRegistry registry, ServiceReader services, LedgerReader ledger,
                   TaskDefinitions taskDefinitions, AlarmStates alarms, Clock clock) {
        this.config = config;
        this.registry = registry;
        this.services = services;
        this.ledger = ledger;
        this.taskDefinitions = readOnly(taskDefinitions);
        this.alarms = alarms;
        this.clock = clock;
    }

    /** The revision reads; registering and deregistering are refused. */
    private static TaskDefinitions readOnly(TaskDefinitions taskDefinitions) {
        return new TaskDefinitions() {
            @Override
            public Optional<TaskDefinition> find(String reference) {
                return taskDefinitions.find(reference);
            }

            @Override
            public List<String> activeRevisions(String family) {
                return taskDefinitions.activeRevisions(family);
            }

            @Override
            public TaskDefinition register(RevisionChange change) {
                throw new IllegalStateException("a preview never registers a revision");
            }

            @Override
            public void deregister(String arn) {
                throw new IllegalStateException("a preview never deregisters a revision");
            }
        };
    }

    /**
     * Prepare reads an execution's input from the execution; here the input is given as it would be
     * to StartExecution, for the execution {@code executionArn} that a deploy would start.
     */
    Reports.Diff diff(Target target, ObjectNode deployInput, String executionArn) {
        String input = deployInput.toString();
        Preparer preparer = new Preparer(config, arn -> InputParser.intent(input, Pipeline.ofExecution(arn)), registry, services,
                taskDefinitions, ledger, alarms, names -> {
                    throw new IllegalStateException("a preview deploys an image; it asks about no rollback's slot parameters");
                }, clock);
        String requestId = executionArn.substring(executionArn.lastIndexOf(':') + 1);
        DeployRequest request = preparer.prepare(new Preparer.Execution(executionArn, requestId, clock.instant().toString()));
        String live = Revisions.shortName(request.previousTaskDefinition());
        if (request.decision() != Decision.PROCEED) {
            return new Reports.Diff(target.serviceKey(), request.image(), request.decision().name(), request.decisionReason(),
                    live, null, List.of(), 0);
        }
        TaskDefinition current = taskDefinitions.require(request.previousTaskDefinition());
        TaskDefinition.Container container = current.container(target.container()).orElseThrow(() -> new IllegalStateException(
                "the live revision " + live + " has no container " + target.container()));
        List<SecretSlot> slots = request.rotate() ? SecretRotator.plan(target, container.liveSecrets()) : List.of();
        RevisionChange change = ReleaseDerivation.derive(current, request, slots, target.container());
        int newest = taskDefinitions.activeRevisions(current.family()).stream().mapToInt(Revisions::revision).max()
                .orElse(current.revision());
        Map<String, String> before = fields(container.image(), container.environment(), container.secrets(), current.tags());
        Map<String, String> after = fields(change.image(), change.environment(), change.secrets(), change.tags());
        List<Reports.Change> changes = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>(before.keySet());
        names.addAll(after.keySet());
        int unchanged = 0;
        for (String name : names) {
            String next = after.get(name) == null ? null : after.get(name).replace(requestId, EXECUTION_PLACEHOLDER);
            if (Objects.equals(before.get(name), after.get(name))) {
                unchanged++;
            } else {
                changes.add(new Reports.Change(name, before.get(name), next));
            }
        }
        if (request.desiredCount() != null && !request.desiredCount().equals(request.previousDesiredCount())) {
            changes.add(new Reports.Change("desired count", String.valueOf(request.previousDesiredCount()),
                    String.valueOf(request.desiredCount())));
        }
        return new Reports.Diff(target.serviceKey(), change.image(), request.decision().name(), request.reason(), live,
                current.family() + ":" + (newest + 1), changes, unchanged);
    }

    /** What a new revision changes: the deployed container's image, secrets and environment, and the revision's tags. */
    private static Map<String, String> fields(String image, Map<String, String> environment, Map<String, String> secrets,
                                              Map<String, String> tags) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("image", image);
        secrets.forEach((name, valueFrom) -> fields.put("secret " + name, valueFrom));
        environment.forEach((name, value) -> fields.put("environment " + name, value));
        tags.forEach((key, value) -> fields.put("tag " + key, value));
        return fields;
    }
}
