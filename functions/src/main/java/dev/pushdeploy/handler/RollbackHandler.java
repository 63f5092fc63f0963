package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.adapter.aws.DynamoLedger;
import dev.pushdeploy.adapter.aws.EcsTaskDefinitions;
import dev.pushdeploy.ledger.LockOwnership;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.RequestScoped;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.release.TaskDefinitions;
import dev.pushdeploy.rollout.DeploymentStarter;
import dev.pushdeploy.rollout.EcsServices;
import dev.pushdeploy.rollout.RollbackStarter;
import dev.pushdeploy.rollout.ServiceDeployments;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.adapter.aws.SdkEcsServices;
import dev.pushdeploy.adapter.aws.SdkServiceDeployments;
import java.time.Clock;

/**
 * Rollback: the service back to the revision that was live before the request ({@code $.rollback}):
 * ECS's own rollback of a traffic-shifting deployment still under way, else UpdateService (see
 * {@link RollbackStarter}). Secrets need no restore: that revision points at the untouched slot.
 * Nothing is updated when the service is already back (ECS's circuit breaker, a retry, or a rollout that
 * never started), nor when someone else moved it to a third revision (the run is interrupted). A revision
 * deregistered since it was live is registered again, and the service goes back to that copy.
 */
public final class RollbackHandler extends StepHandler<RollbackHandler.Input, Rollout> {
    /**
     * The state document fields this step reads; {@code rollout} and {@code check} may be null (rollback
     * after an error), {@code release} is the revision the request deployed.
     */
    public record Input(DeployRequest request, Rollout rollout, CheckResult check, Release release) implements RequestScoped {
    }

    private final RollbackStarter starter;

    /** Wired from the environment, as Lambda runs it. */
    public RollbackHandler() {
        this(Clock.systemUTC());
    }

    /** Wired from the environment, reading time from {@code clock}. */
    public RollbackHandler(Clock clock) {
        this(Env.require(Env.TABLE_NAME), clock);
    }

    private RollbackHandler(String table, Clock clock) {
        this(new SdkEcsServices(Aws::ecs), new SdkServiceDeployments(Aws::ecs), new EcsTaskDefinitions(Aws::ecs),
                PrimingSample.orWhilePriming(new LockOwnership(new DynamoLedger(Aws.dynamoDb(), table))), clock);
    }

    public RollbackHandler(EcsServices ecs, ServiceDeployments deployments, TaskDefinitions revisions,
                           DeploymentStarter.Ownership ownership, Clock clock) {
        super(Input.class, "Rollback");
        this.starter = new RollbackStarter(ecs, deployments, ownership, revisions, clock);
    }

    @Override
    protected Input primingInput(PrimingSample sample) {
        String other = sample.otherRevision();
        DeployRequest request = other == null ? sample.request() : sample.request().toBuilder().previousTaskDefinition(other).build();
        return new Input(request, sample.rollout(), sample.check(), sample.release());
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
        String ours = input.release() != null ? input.release().taskDefinition()
                : input.rollout() != null ? input.rollout().taskDefinition() : null;
        return starter.rollBack(request, input.rollout(), ours, log);
    }
}
