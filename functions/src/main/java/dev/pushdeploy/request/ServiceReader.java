package dev.pushdeploy.request;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The ECS reads that tell what is live: the service, its task definitions, a family's revisions. */
public interface ServiceReader {
    /** The ACTIVE service, or empty when the cluster or service does not exist. */
    Optional<LiveService> service(String cluster, String service);

    /** A task definition by ARN or {@code family:revision}, or empty when it does not exist. */
    Optional<TaskDefinitionView> taskDefinition(String reference);

    /** ARNs of the ACTIVE revisions of exactly this family (any order). */
    List<String> activeRevisions(String family);

    /**
     * @param taskDefinition            the service's task definition (its PRIMARY deployment's)
     * @param deploymentTaskDefinitions task definitions of every deployment the service still has
     */
    record LiveService(String taskDefinition, List<String> deploymentTaskDefinitions) {
        public LiveService {
            deploymentTaskDefinitions = List.copyOf(deploymentTaskDefinitions);
        }
    }

    /** The parts of a task definition the pipeline reads. */
    record TaskDefinitionView(String arn, String family, int revision, boolean active, List<ContainerView> containers) {
        public TaskDefinitionView {
            containers = List.copyOf(containers);
        }

        public Optional<ContainerView> container(String name) {
            return containers.stream().filter(c -> c.name().equals(name)).findFirst();
        }

        /** {@code family:revision}. */
        public String shortName() {
            return family + ":" + revision;
        }
    }

    /** @param secrets environment variable name → valueFrom (an SSM parameter name or ARN), in definition order */
    record ContainerView(String name, String image, Map<String, String> secrets) {
    }
}
