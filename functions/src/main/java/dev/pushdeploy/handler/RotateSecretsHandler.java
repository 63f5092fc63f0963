package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.SsmSlotStore;
import dev.pushdeploy.adapter.aws.EcsTaskDefinitions;
import dev.pushdeploy.adapter.aws.SsmConfigSource;
import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.adapter.aws.SdkEcsServices;
import dev.pushdeploy.error.RunInterruptedException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.RequestScoped;
import dev.pushdeploy.adapter.postgres.PostgresRoles;
import dev.pushdeploy.model.RotationResult;
import dev.pushdeploy.secrets.SecretRotator;

/**
 * RotateSecrets: writes new values into each managed secret's inactive slot ({@code $.secrets}). Not in a
 * redriven execution: RedriveExecution restarts an ended run at this step after the reconciler released its
 * lock, and another run may be deploying with the inactive slot by then.
 */
public final class RotateSecretsHandler extends StepHandler<RotateSecretsHandler.Input, RotationResult> {
    /**
     * The request, and how many times the execution was redriven ({@code $$.Execution.RedriveCount}; null
     * when the caller does not say, as in a sample event).
     */
    public record Input(DeployRequest request, Integer redriveCount) implements RequestScoped {
    }

    private final SecretRotator rotator;

    public RotateSecretsHandler() {
        this(new SecretRotator(new SsmConfigSource(Aws::ssm, Env.require(Env.CONFIG_PARAMETER)),
                new EcsTaskDefinitions(Aws::ecs), new SsmSlotStore(Aws.ssm()), new PostgresRoles(), new SdkEcsServices(Aws::ecs)));
    }

    public RotateSecretsHandler(SecretRotator rotator) {
        super(Input.class, "RotateSecrets");
        this.rotator = rotator;
    }

    @Override
    protected Input primingInput(PrimingSample sample) {
        return new Input(sample.request(), 0);
    }

    @Override
    protected RotationResult handle(Input input, StepLog log) {
        if (input.redriveCount() != null && input.redriveCount() > 0) {
            throw new RunInterruptedException("the execution was redriven (" + input.redriveCount() + "): its first run was accounted for"
                    + " and its lock released, so no secret is rotated; start a new deployment instead");
        }
        return rotator.rotate(input.request(), log);
    }
}
