package dev.pushdeploy.release;

import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.TaskDefinition;
import dev.pushdeploy.model.TaskDefinition.Container;
import dev.pushdeploy.testing.SampleStack;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** ECS task-definition revisions in memory, numbered per family like ECS does. Not final: a test may override a call to fail. */
public class InMemoryTaskDefinitions implements TaskDefinitions {
    public static final String ARN_PREFIX = "arn:aws:ecs:us-east-1:123456789012:task-definition/";

    private final Map<String, TaskDefinition> revisions = new LinkedHashMap<>();
    /** Every change registered, in order. */
    public final List<RevisionChange> registrations = new ArrayList<>();
    /** Every reference found, in order. */
    public final List<String> found = new ArrayList<>();
    /** Every ARN deregistered, in order. */
    public final List<String> deregistrations = new ArrayList<>();

    public static String arn(String family, int revision) {
        return ARN_PREFIX + family + ":" + revision;
    }

    /** Adds a revision as it is (its ARN, revision number and status included). */
    public void put(TaskDefinition revision) {
        revisions.put(revision.arn(), revision);
    }

    /** Adds the next ACTIVE revision of {@code family} with one container; returns its ARN. */
    public String add(String family, String container, String image, Map<String, String> secrets) {
        int revision = next(family);
        String arn = arn(family, revision);
        put(new TaskDefinition(arn, family, revision, true, SampleStack.TASK_CPU, SampleStack.TASK_MEMORY,
                List.of(new Container(container, image, true, Map.of(), secrets)), Map.of()));
        return arn;
    }

    /** Drops a revision, as ECS once it deleted it (DeleteTaskDefinitions): no longer described. */
    public void forget(String arn) {
        revisions.remove(arn);
    }

    public boolean active(String arn) {
        return revisions.get(arn).active();
    }

    @Override
    public Optional<TaskDefinition> find(String reference) {
        found.add(reference);
        if (!reference.startsWith("arn:") && !reference.contains(":")) {
            return activeRevisions(reference).stream().findFirst().map(revisions::get);
        }
        return Optional.ofNullable(revisions.get(reference.startsWith("arn:") ? reference : ARN_PREFIX + reference));
    }

    @Override
    public List<String> activeRevisions(String family) {
        return revisions.values().stream()
                .filter(td -> td.family().equals(family) && td.active())
                .map(TaskDefinition::arn)
                .sorted(Comparator.comparingInt(Revisions::revision).reversed())
                .toList();
    }

    @Override
    public TaskDefinition register(RevisionChange change) {
        TaskDefinition base = revisions.get(change.base());
        if (base == null) {
            throw new AwsFailureException("ecs:DescribeTaskDefinition " + change.base() + " failed: no such revision", null);
        }
        registrations.add(change);
        int revision = next(change.family());
        List<Container> containers = base.containers().stream()
                .map(c -> c.name().equals(change.container())
                        ? new Container(c.name(), change.image(), c.essential(), change.environment(), change.secrets())
                        : c)
                .toList();
        TaskDefinition registered = new TaskDefinition(arn(change.family(), revision), change.family(), revision, true,
                base.cpu(), base.memory(), containers, change.tags());
        put(registered);
        return registered;
    }

    @Override
    public void deregister(String arn) {
        TaskDefinition td = revisions.get(arn);
        if (td == null) {
            throw new AwsFailureException("ecs:DeregisterTaskDefinition " + arn + " failed: no such revision", null);
        }
        put(td.deregistered());
        deregistrations.add(arn);
    }

    private int next(String family) {
        return 1 + revisions.values().stream().filter(td -> td.family().equals(family))
                .mapToInt(TaskDefinition::revision).max().orElse(0);
    }
}
