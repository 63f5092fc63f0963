package dev.pushdeploy.local.events;

import java.util.List;

/**
 * An EventBridge rule of the template on the default bus: its pattern and the ARNs of its targets.
 *
 * @param name    the rule's logical id
 * @param pattern the event pattern (JSON), intrinsics resolved
 * @param targets the targets' ARNs (a function's alias, a state machine, a queue, …)
 */
public record RuleSpec(String name, String pattern, List<String> targets) {
    public RuleSpec {
        targets = List.copyOf(targets);
    }
}
