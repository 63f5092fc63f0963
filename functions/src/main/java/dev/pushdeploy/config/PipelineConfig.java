package dev.pushdeploy.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The validated configuration document: one target per ECR repository, and the pipeline-wide settings.
 *
 * <p>The stack's settings the functions act on live here, read at run time, never in environment variables: a function
 * runs through its published version, whose environment a stack update changes only when the function's code changes too.
 *
 * @param releaseParameterPrefix the prefix of the release parameters a run's end keeps naming what is live
 * @param rollBackStoppedRuns    whether a run cut off with its own revision on the service, never verified healthy, is
 *                               moved back (each run acts by the value it was prepared with)
 * @param version                the document's version where it is kept (SSM's parameter version), which a run reads again
 *                               by; null when the source has none
 */
public record PipelineConfig(List<Target> targets, String kmsKeyId, String releaseParameterPrefix, boolean rollBackStoppedRuns,
                             Long version) {
    /** The template's default prefix, for a document that names none. */
    public static final String DEFAULT_RELEASE_PARAMETER_PREFIX = "/pushdeploy/release";

    public PipelineConfig {
        targets = List.copyOf(targets);
        Objects.requireNonNull(releaseParameterPrefix, "releaseParameterPrefix");
    }

    /** The template's defaults for the pipeline-wide settings. */
    public PipelineConfig(List<Target> targets, String kmsKeyId) {
        this(targets, kmsKeyId, DEFAULT_RELEASE_PARAMETER_PREFIX, true, null);
    }

    public PipelineConfig withVersion(Long value) {
        return new PipelineConfig(targets, kmsKeyId, releaseParameterPrefix, rollBackStoppedRuns, value);
    }

    public Optional<Target> forRepository(String repository) {
        return targets.stream().filter(t -> t.repository().equals(repository)).findFirst();
    }

    public Optional<Target> forService(String cluster, String service) {
        return targets.stream().filter(t -> t.cluster().equals(cluster) && t.service().equals(service)).findFirst();
    }
}
