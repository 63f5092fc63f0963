package dev.pushdeploy.config;

/** Where the configuration document comes from. */
@FunctionalInterface
public interface ConfigSource {
    /** The current document. */
    PipelineConfig load();

    /**
     * The document at {@code version} ({@link PipelineConfig#version()} of an earlier {@link #load()}): a run reads the one
     * it was prepared with, so a change made while it runs applies from the next run. Null, or a source that keeps no
     * versions: the current document.
     */
    default PipelineConfig load(Long version) {
        return load();
    }

    static ConfigSource of(PipelineConfig config) {
        return () -> config;
    }
}
