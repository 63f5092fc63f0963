package dev.pushdeploy.local.bootstrap;

import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.config.Target;
import java.util.List;

/**
 * What the bootstrap created in the emulator: the names and ARNs the CLI and the tests work with.
 *
 * @param eventPatterns the template's rule patterns that start the state machine
 * @param releaseStateMachineArn the release state machine (the template has it with a second service), else null
 */
public record StackOutputs(
        String stateMachineArn,
        String configParameter,
        PipelineConfig config,
        String table,
        String topicArn,
        String notificationsQueueUrl,
        String releaseParameterPrefix,
        List<String> eventPatterns,
        List<Service> services,
        String releaseStateMachineArn) {
    public StackOutputs {
        eventPatterns = List.copyOf(eventPatterns);
        services = List.copyOf(services);
    }

    /**
     * One deployed service with its first release.
     *
     * @param initialDigest      the digest of image {@code v1.0.0}, live in the first revision
     * @param initialTaskDefinition the first revision
     * @param alternateTargetGroupArn the second target group of a traffic-shifting strategy; null for ROLLING
     */
    public record Service(Target target, String repositoryUri, String initialDigest, String initialTaskDefinition,
                          String targetGroupArn, String smokeUrl, String alternateTargetGroupArn) {
    }

    /** The first service (the only one with the template's defaults). */
    public Service service() {
        return services.get(0);
    }
}
