package dev.pushdeploy.config;

import java.util.List;
import java.util.Optional;

/** The validated configuration document: one target per ECR repository. */
public record PipelineConfig(List<Target> targets, String kmsKeyId) {
    public PipelineConfig {
        targets = List.copyOf(targets);
    }

    public Optional<Target> forRepository(String repository) {
        return targets.stream().filter(t -> t.repository().equals(repository)).findFirst();
    }

    public Optional<Target> forService(String cluster, String service) {
        return targets.stream().filter(t -> t.cluster().equals(cluster) && t.service().equals(service)).findFirst();
    }
}
