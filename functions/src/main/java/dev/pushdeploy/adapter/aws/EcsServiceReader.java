package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.request.ServiceReader;
import dev.pushdeploy.model.Revisions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.ClusterNotFoundException;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Deployment;
import software.amazon.awssdk.services.ecs.model.Secret;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;

/** {@link ServiceReader} over the ECS client (DescribeServices, DescribeTaskDefinition, ListTaskDefinitions). */
public final class EcsServiceReader implements ServiceReader {
    private final EcsClient ecs;

    public EcsServiceReader(EcsClient ecs) {
        this.ecs = ecs;
    }

    @Override
    public Optional<LiveService> service(String cluster, String service) {
        return AwsCall.run("ecs:DescribeServices " + cluster + "/" + service, () -> {
            try {
                return ecs.describeServices(r -> r.cluster(cluster).services(service)).services().stream()
                        .filter(s -> "ACTIVE".equals(s.status()))
                        .findFirst()
                        .map(s -> new LiveService(s.taskDefinition(), s.deployments().stream().map(Deployment::taskDefinition).toList()));
            } catch (ClusterNotFoundException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public Optional<TaskDefinitionView> taskDefinition(String reference) {
        return AwsCall.run("ecs:DescribeTaskDefinition " + reference, () -> {
            try {
                return Optional.of(view(ecs.describeTaskDefinition(r -> r.taskDefinition(reference)).taskDefinition()));
            } catch (ClientException e) {
                // ECS answers ClientException "Unable to describe task definition." for unknown revisions
                return Optional.empty();
            }
        });
    }

    @Override
    public List<String> activeRevisions(String family) {
        // familyPrefix is a prefix match: "web" also lists "web-worker", so keep exact family matches only
        return AwsCall.run("ecs:ListTaskDefinitions " + family, () ->
                ecs.listTaskDefinitionsPaginator(r -> r.familyPrefix(family).status(TaskDefinitionStatus.ACTIVE))
                        .taskDefinitionArns().stream()
                        .filter(arn -> Revisions.family(arn).equals(family))
                        .toList());
    }

    private static TaskDefinitionView view(TaskDefinition td) {
        List<ContainerView> containers = td.containerDefinitions().stream().map(EcsServiceReader::container).toList();
        return new TaskDefinitionView(td.taskDefinitionArn(), td.family(), td.revision(),
                td.status() == TaskDefinitionStatus.ACTIVE, containers);
    }

    private static ContainerView container(ContainerDefinition c) {
        Map<String, String> secrets = new LinkedHashMap<>();
        for (Secret s : c.secrets()) {
            secrets.put(s.name(), s.valueFrom());
        }
        return new ContainerView(c.name(), c.image(), secrets);
    }
}
