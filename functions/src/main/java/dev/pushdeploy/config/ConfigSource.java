package dev.pushdeploy.config;

/** Where the configuration document comes from. */
@FunctionalInterface
public interface ConfigSource {
    PipelineConfig load();

    static ConfigSource of(PipelineConfig config) {
        return () -> config;
    }
}
