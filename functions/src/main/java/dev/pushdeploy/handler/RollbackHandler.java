package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.RequestScoped;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.rollout.DeploymentStarter;
import dev.pushdeploy.rollout.EcsServices;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.adapter.aws.SdkEcsServices;
import java.time.Clock;

/**
 * Rollback: UpdateService back to the revision that was live before the request
 * ({@code $.rollback}). Secrets need no restore: that revision points at the untouched slot.
 * Nothing is updated when the service is already back (ECS's circuit breaker, or a retry).
 */
public final class RollbackHandler extends StepHandler<RollbackHandler.Input, Rollout> {
    /** The state document fields this step reads; {@code check} may be null (rollback after an error). */
    public record Input(DeployRequest request, Rollout rollout, CheckResult check) implements RequestScoped {
    }

    private final DeploymentStarter starter;

    /** Wired from the environment, as Lambda runs it. */
    public RollbackHandler() {
        this(Clock.systemUTC());
    }

    /** Wired from the environment, reading time from {@code clock}. */
    public RollbackHandler(Clock clock) {
        this(new SdkEcsServices(Aws.ecs()), clock);
    }

    public RollbackHandler(EcsServices ecs, Clock clock) {
        super(Input.class, "Rollback");
        this.starter = new DeploymentStarter(ecs, clock);
    }

    @Override
    protected Rollout handle(Input input, StepLog log) {
        DeployRequest request = input.request();
        if (request.previousTaskDefinition() == null) {
            throw new InvalidRequestException("request.previousTaskDefinition", "no revision to roll back to");
        }
        log.warn("rolling back", "from", input.rollout() == null ? null : input.rollout().taskDefinition(),
                "to", request.previousTaskDefinition(),
                "verdict", input.check() == null ? null : input.check().verdict(),
                "reason", input.check() == null ? null : input.check().reason());
        return starter.moveTo(request.cluster(), request.service(), request.previousTaskDefinition(),
                request.deadlineSeconds(), log);
    }
}
