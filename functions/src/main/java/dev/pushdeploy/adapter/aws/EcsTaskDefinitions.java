package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.TaskDefinition;
import dev.pushdeploy.release.RevisionChange;
import dev.pushdeploy.release.TaskDefinitions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.ListTaskDefinitionsResponse;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.Secret;
import software.amazon.awssdk.services.ecs.model.SortOrder;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionField;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;

/**
 * {@link TaskDefinitions} over the ECS client: DescribeTaskDefinition (with TAGS),
 * ListTaskDefinitions, RegisterTaskDefinition, DeregisterTaskDefinition.
 *
 * <p>A {@link RevisionChange} is applied onto the base revision as ECS describes it, and only
 * fields RegisterTaskDefinition accepts are copied: read-only ones such as revision, status,
 * compatibilities, requiresAttributes and registeredAt/By never reach the request. The base is
 * the revision last found when that was the same revision ARN (a revision's definition never
 * changes), so a step that reads its base and then registers onto it describes it once.
 */
public final class EcsTaskDefinitions implements TaskDefinitions {
    /** Family prefixes also match longer families; bound the pages read to find ours. */
    static final int MAX_PAGES = 20;

    private final Supplier<EcsClient> ecs;
    private volatile DescribeTaskDefinitionResponse lastFound;

    public EcsTaskDefinitions(EcsClient ecs) {
        this(() -> ecs);
    }

    /** @param ecs the client, built on first use (a path that never calls it never builds it) */
    public EcsTaskDefinitions(Supplier<EcsClient> ecs) {
        this.ecs = ecs;
    }

    @Override
    public Optional<TaskDefinition> find(String reference) {
        return AwsCall.run("ecs:DescribeTaskDefinition " + reference, () -> {
            try {
                DescribeTaskDefinitionResponse found = describe(reference);
                lastFound = found;
                return Optional.of(model(found));
            } catch (ClientException e) {
                // ECS answers ClientException "Unable to describe task definition." for unknown revisions
                return Optional.empty();
            }
        });
    }

    /** Newest first; reads at most {@link #MAX_PAGES} pages of 100. */
    @Override
    public List<String> activeRevisions(String family) {
        List<String> arns = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            String pageToken = token;
            ListTaskDefinitionsResponse page = AwsCall.run("ecs:ListTaskDefinitions " + family,
                    () -> ecs.get().listTaskDefinitions(r -> r.familyPrefix(family)
                            .status(TaskDefinitionStatus.ACTIVE)
                            .sort(SortOrder.DESC)
                            .maxResults(100)
                            .nextToken(pageToken)));
            // familyPrefix is a prefix match: "web" also lists "web-worker"
            page.taskDefinitionArns().stream().filter(arn -> family.equals(Revisions.family(arn))).forEach(arns::add);
            token = page.nextToken();
            pages++;
        } while (token != null && pages < MAX_PAGES);
        return arns.stream().sorted(Comparator.comparingInt(Revisions::revision).reversed()).toList();
    }

    @Override
    public TaskDefinition register(RevisionChange change) {
        DescribeTaskDefinitionResponse found = lastFound;
        DescribeTaskDefinitionResponse base = found != null && change.base().equals(found.taskDefinition().taskDefinitionArn())
                ? found
                : AwsCall.run("ecs:DescribeTaskDefinition " + change.base(), () -> describe(change.base()));
        RegisterTaskDefinitionRequest request = registration(base.taskDefinition(), change);
        RegisterTaskDefinitionResponse registered = AwsCall.run("ecs:RegisterTaskDefinition " + change.family(),
                () -> ecs.get().registerTaskDefinition(request));
        if (registered.taskDefinition() == null && Priming.active()) {
            // answered in process while priming: the revision as requested, without an ARN or a number
            return model(software.amazon.awssdk.services.ecs.model.TaskDefinition.builder().family(request.family())
                    .status(TaskDefinitionStatus.ACTIVE).cpu(request.cpu()).memory(request.memory())
                    .containerDefinitions(request.containerDefinitions()).build(), request.tags());
        }
        return model(registered.taskDefinition(), registered.tags());
    }

    @Override
    public void deregister(String arn) {
        AwsCall.exec("ecs:DeregisterTaskDefinition " + arn, () -> ecs.get().deregisterTaskDefinition(r -> r.taskDefinition(arn)));
    }

    private DescribeTaskDefinitionResponse describe(String reference) {
        return ecs.get().describeTaskDefinition(r -> r.taskDefinition(reference).include(TaskDefinitionField.TAGS));
    }

    /** The registration of {@code base} with {@code change} applied: every writable field copied, nothing else. */
    static RegisterTaskDefinitionRequest registration(software.amazon.awssdk.services.ecs.model.TaskDefinition base,
                                                      RevisionChange change) {
        List<ContainerDefinition> containers = base.containerDefinitions().stream()
                .map(c -> change.container().equals(c.name()) ? retarget(c, change) : c)
                .toList();
        return RegisterTaskDefinitionRequest.builder()
                .family(base.family())
                .taskRoleArn(base.taskRoleArn())
                .executionRoleArn(base.executionRoleArn())
                .networkMode(base.networkModeAsString())
                .containerDefinitions(containers)
                .volumes(base.volumes())
                .placementConstraints(base.placementConstraints())
                .requiresCompatibilitiesWithStrings(base.requiresCompatibilitiesAsStrings())
                .cpu(base.cpu())
                .memory(base.memory())
                .pidMode(base.pidModeAsString())
                .ipcMode(base.ipcModeAsString())
                .proxyConfiguration(base.proxyConfiguration())
                .inferenceAccelerators(base.inferenceAccelerators())
                .ephemeralStorage(base.ephemeralStorage())
                .runtimePlatform(base.runtimePlatform())
                .enableFaultInjection(base.enableFaultInjection())
                .tags(change.tags().entrySet().stream()
                        .map(t -> Tag.builder().key(t.getKey()).value(t.getValue()).build()).toList())
                .build();
    }

    private static ContainerDefinition retarget(ContainerDefinition c, RevisionChange change) {
        return c.toBuilder()
                .image(change.image())
                .environment(change.environment().entrySet().stream()
                        .map(e -> KeyValuePair.builder().name(e.getKey()).value(e.getValue()).build()).toList())
                .secrets(change.secrets().entrySet().stream()
                        .map(e -> Secret.builder().name(e.getKey()).valueFrom(e.getValue()).build()).toList())
                .build();
    }

    private static TaskDefinition model(DescribeTaskDefinitionResponse response) {
        return model(response.taskDefinition(), response.tags());
    }

    static TaskDefinition model(software.amazon.awssdk.services.ecs.model.TaskDefinition td, List<Tag> tags) {
        Map<String, String> tagMap = new LinkedHashMap<>();
        tags.forEach(t -> tagMap.put(t.key(), t.value()));
        return new TaskDefinition(td.taskDefinitionArn(), td.family(), td.revision() == null ? 0 : td.revision(),
                td.status() == TaskDefinitionStatus.ACTIVE, td.cpu(), td.memory(),
                td.containerDefinitions().stream().map(EcsTaskDefinitions::container).toList(), tagMap);
    }

    private static TaskDefinition.Container container(ContainerDefinition c) {
        Map<String, String> environment = new LinkedHashMap<>();
        c.environment().forEach(kv -> environment.put(kv.name(), kv.value()));
        Map<String, String> secrets = new LinkedHashMap<>();
        c.secrets().forEach(s -> secrets.put(s.name(), s.valueFrom()));
        return new TaskDefinition.Container(c.name(), c.image(), c.essential() == null || c.essential(), environment, secrets);
    }
}
