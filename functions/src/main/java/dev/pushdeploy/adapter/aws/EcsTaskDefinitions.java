package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.release.Revision;
import dev.pushdeploy.release.TaskDefinitions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ListTaskDefinitionsResponse;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.SortOrder;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionField;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;

/** {@link TaskDefinitions} over the ECS client. */
public final class EcsTaskDefinitions implements TaskDefinitions {
    /** Family prefixes also match longer families; bound the pages read to find ours. */
    private static final int MAX_PAGES = 20;

    private final EcsClient ecs;

    public EcsTaskDefinitions(EcsClient ecs) {
        this.ecs = ecs;
    }

    @Override
    public Revision describe(String taskDefinition) {
        return AwsCall.run("ecs:DescribeTaskDefinition " + taskDefinition, () -> {
            var response = ecs.describeTaskDefinition(r -> r.taskDefinition(taskDefinition)
                    .include(TaskDefinitionField.TAGS));
            return new Revision(response.taskDefinition(), response.tags());
        });
    }

    @Override
    public List<String> newest(String family, int count) {
        List<String> arns = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            String pageToken = token;
            ListTaskDefinitionsResponse page = AwsCall.run("ecs:ListTaskDefinitions " + family,
                    () -> ecs.listTaskDefinitions(r -> r.familyPrefix(family)
                            .status(TaskDefinitionStatus.ACTIVE)
                            .sort(SortOrder.DESC)
                            .maxResults(100)
                            .nextToken(pageToken)));
            page.taskDefinitionArns().stream().filter(arn -> family.equals(Revisions.family(arn))).forEach(arns::add);
            token = page.nextToken();
            pages++;
        } while (token != null && arns.size() < count && pages < MAX_PAGES);
        return arns.stream()
                .sorted(Comparator.comparingInt(Revisions::revision).reversed())
                .limit(count)
                .toList();
    }

    @Override
    public TaskDefinition register(RegisterTaskDefinitionRequest request) {
        return AwsCall.run("ecs:RegisterTaskDefinition " + request.family(),
                () -> ecs.registerTaskDefinition(request).taskDefinition());
    }
}
