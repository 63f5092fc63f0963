package dev.pushdeploy.request;

import dev.pushdeploy.ledger.RevisionDeregistrar;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** ECS in memory: task definition revisions per family and services, with deregistration. */
public final class FakeServices implements ServiceReader, RevisionDeregistrar {
    public static final String ARN_PREFIX = "arn:aws:ecs:us-east-1:123456789012:task-definition/";

    private final Map<String, TaskDefinitionView> revisions = new LinkedHashMap<>();
    private final Map<String, LiveService> services = new HashMap<>();
    public final List<String> deregistrations = new ArrayList<>();

    /** Registers the next revision of {@code family} with one container; returns its ARN. */
    public String register(String family, String container, String image, Map<String, String> secrets) {
        int revision = (int) revisions.values().stream().filter(td -> td.family().equals(family)).count() + 1;
        String arn = ARN_PREFIX + family + ":" + revision;
        revisions.put(arn, new TaskDefinitionView(arn, family, revision, true,
                List.of(new ContainerView(container, image, new LinkedHashMap<>(secrets)))));
        return arn;
    }

    /** Points the service at a revision; {@code deployments} are the task definitions of its deployments. */
    public void run(String cluster, String service, String taskDefinition, String... deployments) {
        services.put(cluster + "/" + service, new LiveService(taskDefinition,
                deployments.length == 0 ? List.of(taskDefinition) : List.of(deployments)));
    }

    public void stop(String cluster, String service) {
        services.remove(cluster + "/" + service);
    }

    public boolean active(String arn) {
        return revisions.get(arn).active();
    }

    @Override
    public Optional<LiveService> service(String cluster, String service) {
        return Optional.ofNullable(services.get(cluster + "/" + service));
    }

    @Override
    public Optional<TaskDefinitionView> taskDefinition(String reference) {
        String arn = reference.startsWith("arn:") ? reference : ARN_PREFIX + reference;
        return Optional.ofNullable(revisions.get(arn));
    }

    @Override
    public List<String> activeRevisions(String family) {
        return revisions.values().stream().filter(td -> td.family().equals(family) && td.active()).map(TaskDefinitionView::arn).toList();
    }

    @Override
    public void deregister(String taskDefinitionArn) {
        TaskDefinitionView td = revisions.get(taskDefinitionArn);
        revisions.put(taskDefinitionArn, new TaskDefinitionView(td.arn(), td.family(), td.revision(), false, td.containers()));
        deregistrations.add(taskDefinitionArn);
    }
}
