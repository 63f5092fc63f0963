package dev.pushdeploy.local.bootstrap;

import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.local.events.RuleSpec;
import dev.pushdeploy.local.lambda.FunctionSpec;
import java.util.List;
import java.util.Map;

/**
 * What the bootstrap created in the emulator: the names and ARNs the CLI and the tests work with.
 *
 * @param stateMachineArn        the deployment workflow (the state machine the push rule starts)
 * @param eventPatterns          the patterns of the template's enabled rules that start the state machine
 * @param functions              the template's functions, as the local stack deploys them
 * @param rules                  the template's enabled EventBridge rules on the default bus
 * @param outputs                the template's outputs, evaluated for the local stack
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
        List<FunctionSpec> functions,
        List<RuleSpec> rules,
        Map<String, String> outputs,
        String releaseStateMachineArn) {
    public StackOutputs {
        eventPatterns = List.copyOf(eventPatterns);
        services = List.copyOf(services);
        functions = List.copyOf(functions);
        rules = List.copyOf(rules);
        outputs = Map.copyOf(outputs);
    }

    /**
     * One deployed service with its first release.
     *
     * @param initialDigest           the digest of image {@code v1.0.0}, live after the first release
     * @param initialTaskDefinition   the revision the first release runs
     * @param alternateTargetGroupArn the second target group of a traffic-shifting strategy (the service's
     *                                load balancer's alternate); null for ROLLING
     * @param hooks                   the lifecycle hooks the service's deployment configuration names
     */
    public record Service(Target target, String repositoryUri, String initialDigest, String initialTaskDefinition,
                          String targetGroupArn, String smokeUrl, String alternateTargetGroupArn, List<Hook> hooks) {
        public Service {
            hooks = List.copyOf(hooks);
        }
    }

    /**
     * A lifecycle hook of a service.
     *
     * @param targetArn the function (alias) ECS invokes
     * @param stages    the lifecycle stages it is invoked at
     */
    public record Hook(String targetArn, List<String> stages) {
        public Hook {
            stages = List.copyOf(stages);
        }
    }

    /** The first service (the only one with the template's defaults). */
    public Service service() {
        return services.get(0);
    }
}
