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
 * @param desiredCount the tasks the first release starts (the stack's count once a release exists); later
 *                     deploys keep the service's own count
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
        Strategy strategy,
        int desiredCount) {
    /** The first release's tasks when the configuration names no count: the fewest a rollout can be judged by. */
    public static final int DEFAULT_DESIRED_COUNT = 1;

    public Target {
        secrets = List.copyOf(secrets);
        strategy = strategy == null ? Strategy.ROLLING : strategy;
    }

    /** A target whose first release starts {@value #DEFAULT_DESIRED_COUNT} task. */
    public Target(String repository, String cluster, String service, String container, Pattern tagPattern,
                  List<SecretSpec> secrets, Health health, String scanSeverity, int keepRevisions, int scanDeadlineSeconds,
                  Strategy strategy) {
        this(repository, cluster, service, container, tagPattern, secrets, health, scanSeverity, keepRevisions, scanDeadlineSeconds,
                strategy, DEFAULT_DESIRED_COUNT);
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
