package dev.pushdeploy.config;

import java.util.List;
import java.util.Optional;

/**
 * The validated configuration document: one target per ECR repository.
 *
 * @param version the document's version where it is kept (SSM's parameter version), which a run reads again by; null when
 *                the source has none
 */
public record PipelineConfig(List<Target> targets, String kmsKeyId, Long version) {
    public PipelineConfig {
        targets = List.copyOf(targets);
    }

    public PipelineConfig(List<Target> targets, String kmsKeyId) {
        this(targets, kmsKeyId, null);
    }

    public PipelineConfig withVersion(Long value) {
        return new PipelineConfig(targets, kmsKeyId, value);
    }

    public Optional<Target> forRepository(String repository) {
        return targets.stream().filter(t -> t.repository().equals(repository)).findFirst();
    }

    public Optional<Target> forService(String cluster, String service) {
        return targets.stream().filter(t -> t.cluster().equals(cluster) && t.service().equals(service)).findFirst();
    }
}
