package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.adapter.aws.DynamoLedger;
import dev.pushdeploy.adapter.aws.EcsTaskDefinitions;
import dev.pushdeploy.ledger.LockOwnership;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.RequestScoped;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.release.TaskDefinitions;
import dev.pushdeploy.rollout.DeploymentStarter;
import dev.pushdeploy.rollout.EcsServices;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.adapter.aws.SdkEcsServices;
import java.time.Clock;

/**
 * StartDeployment: UpdateService to the released revision, once per request ({@code $.rollout}), and only
 * from the revision that was live when the request was prepared (else the run is interrupted); a first release
 * also sets the service's desired count. A move that lands after the run ended and was taken over is undone
 * when the request says so ({@link DeployRequest#rollsBackWhenCutOff()}, the configuration's RollBackStoppedRuns when it was
 * prepared; {@link DeploymentStarter#deploy}). A manual rollback to a deregistered revision goes
 * to a copy of it registered now, as ECS moves no service to an INACTIVE revision.
 */
public final class StartDeploymentHandler extends StepHandler<StartDeploymentHandler.Input, Rollout> {
    /** The state document fields this step reads. */
    public record Input(DeployRequest request, Release release) implements RequestScoped {
    }

    private final DeploymentStarter starter;

    /** Wired from the environment, as Lambda runs it. */
    public StartDeploymentHandler() {
        this(Clock.systemUTC());
    }

    /** Wired from the environment, reading time from {@code clock}. */
    public StartDeploymentHandler(Clock clock) {
        this(new SdkEcsServices(Aws::ecs), new EcsTaskDefinitions(Aws::ecs),
                PrimingSample.orWhilePriming(new LockOwnership(new DynamoLedger(Aws.dynamoDb(), Env.require(Env.TABLE_NAME)))), clock);
    }

    /** A handler that moves the service to a deregistered revision only as ECS allows (it refuses). */
    public StartDeploymentHandler(EcsServices ecs, DeploymentStarter.Ownership ownership, Clock clock) {
        this(ecs, null, ownership, clock);
    }

    /** @param revisions where a deregistered revision the request moves to is registered again (see {@link DeploymentStarter}) */
    public StartDeploymentHandler(EcsServices ecs, TaskDefinitions revisions, DeploymentStarter.Ownership ownership, Clock clock) {
        super(Input.class, "StartDeployment");
        this.starter = new DeploymentStarter(ecs, ownership, revisions, clock);
    }

    @Override
    protected Input primingInput(PrimingSample sample) {
        String other = sample.otherRevision();
        Release release = sample.release();
        return new Input(sample.request(), other == null ? release
                : new Release(other, release.family(), Revisions.revision(other), release.image(), false));
    }

    @Override
    protected Rollout handle(Input input, StepLog log) {
        DeployRequest request = input.request();
        return starter.deploy(request, input.release().taskDefinition(), request.previousTaskDefinition(), request.desiredCount(),
                request.rollsBackWhenCutOff(), log);
    }
}
