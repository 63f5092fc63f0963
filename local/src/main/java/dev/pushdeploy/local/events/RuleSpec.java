package dev.pushdeploy.local.events;

import java.util.List;
import java.util.Map;

/**
 * An EventBridge rule of the template on the default bus: its pattern, the ARNs of its targets and how each target's
 * failed deliveries are retried.
 *
 * @param name     the rule's logical id
 * @param pattern  the event pattern (JSON), intrinsics resolved
 * @param targets  the targets' ARNs (a function's alias, a state machine, a queue, …)
 * @param policies by target ARN; a target without one gets its kind's default ({@link TargetPolicy#forTarget})
 */
public record RuleSpec(String name, String pattern, List<String> targets, Map<String, TargetPolicy> policies) {
    public RuleSpec {
        targets = List.copyOf(targets);
        policies = Map.copyOf(policies);
    }

    public RuleSpec(String name, String pattern, List<String> targets) {
        this(name, pattern, targets, Map.of());
    }

    public TargetPolicy policy(String target) {
        return policies.getOrDefault(target, TargetPolicy.forTarget(target));
    }
}
