package dev.pushdeploy.local.ecs;

/**
 * One invocation of a lifecycle hook that a simulated deployment waits for: ECS's payload, due at a
 * simulated time; {@code inFlight} once the simulator invoked it and waits for the answer.
 */
final class HookCall {
    final SimService service;
    final SimDeployment deployment;
    final String function;
    final String stage;
    final String payload;
    final double dueAt;
    boolean inFlight;

    HookCall(SimService service, SimDeployment deployment, String function, String stage, String payload, double dueAt) {
        this.service = service;
        this.deployment = deployment;
        this.function = function;
        this.stage = stage;
        this.payload = payload;
        this.dueAt = dueAt;
    }
}
