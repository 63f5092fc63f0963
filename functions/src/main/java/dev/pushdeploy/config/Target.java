package dev.pushdeploy.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Where pushes to one repository go, and how their deployments are checked.
 *
 * @param tagPattern   tags that deploy; others end IGNORED (full match)
 * @param scanSeverity findings at or above this severity reject the image; null disables the gate
 * @param keepRevisions task definition revisions kept by Finalize (live and rollback target always kept)
 * @param scanDeadlineSeconds how long after a request started the scan gate waits for a scan result
 * @param strategy     how ECS rolls out a new revision of the service
 */
public record Target(
        String repository,
        String cluster,
        String service,
        String container,
        Pattern tagPattern,
        List<SecretSpec> secrets,
        Health health,
        String scanSeverity,
        int keepRevisions,
        int scanDeadlineSeconds,
        Strategy strategy) {
    public Target {
        secrets = List.copyOf(secrets);
        strategy = strategy == null ? Strategy.ROLLING : strategy;
    }

    /** A target with the rolling strategy. */
    public Target(String repository, String cluster, String service, String container, Pattern tagPattern,
                  List<SecretSpec> secrets, Health health, String scanSeverity, int keepRevisions, int scanDeadlineSeconds) {
        this(repository, cluster, service, container, tagPattern, secrets, health, scanSeverity, keepRevisions, scanDeadlineSeconds,
                Strategy.ROLLING);
    }

    public String serviceKey() {
        return cluster + "/" + service;
    }
}
