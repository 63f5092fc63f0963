package dev.pushdeploy.release;

import dev.pushdeploy.model.Revisions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;

/** ECS task-definition revisions in memory, numbered per family like ECS does. */
final class InMemoryTaskDefinitions implements TaskDefinitions {
    final Map<String, Revision> revisions = new LinkedHashMap<>();
    final List<RegisterTaskDefinitionRequest> registrations = new ArrayList<>();
    final List<String> described = new ArrayList<>();

    @Override
    public Revision describe(String taskDefinition) {
        described.add(taskDefinition);
        Revision revision = revisions.get(taskDefinition);
        if (revision == null) {
            throw new IllegalArgumentException("no such revision " + taskDefinition);
        }
        return revision;
    }

    @Override
    public List<String> newest(String family, int count) {
        return revisions.keySet().stream()
                .filter(arn -> family.equals(Revisions.family(arn)))
                .sorted(Comparator.comparingInt(Revisions::revision).reversed())
                .limit(count)
                .toList();
    }

    @Override
    public TaskDefinition register(RegisterTaskDefinitionRequest request) {
        registrations.add(request);
        int revision = 1 + revisions.keySet().stream()
                .filter(arn -> request.family().equals(Revisions.family(arn)))
                .mapToInt(Revisions::revision).max().orElse(0);
        TaskDefinition definition = TaskDefinition.builder()
                .taskDefinitionArn(arn(request.family(), revision))
                .family(request.family())
                .revision(revision)
                .containerDefinitions(request.containerDefinitions())
                .build();
        revisions.put(definition.taskDefinitionArn(), new Revision(definition, request.tags()));
        return definition;
    }

    static String arn(String family, int revision) {
        return "arn:aws:ecs:us-east-1:123456789012:task-definition/" + family + ":" + revision;
    }
}
