package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.SsmSlotStore;
import dev.pushdeploy.adapter.aws.EcsTaskDefinitions;
import dev.pushdeploy.adapter.aws.SsmConfigSource;
import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.RequestScoped;
import dev.pushdeploy.adapter.postgres.PostgresRoles;
import dev.pushdeploy.model.RotationResult;
import dev.pushdeploy.secrets.SecretRotator;

/** RotateSecrets: writes new values into each managed secret's inactive slot ({@code $.secrets}). */
public final class RotateSecretsHandler extends StepHandler<RotateSecretsHandler.Input, RotationResult> {
    /** The part of the state document this step reads. */
    public record Input(DeployRequest request) implements RequestScoped {
    }

    private final SecretRotator rotator;

    public RotateSecretsHandler() {
        this(new SecretRotator(new SsmConfigSource(Aws::ssm, Env.require(Env.CONFIG_PARAMETER)),
                new EcsTaskDefinitions(Aws::ecs), new SsmSlotStore(Aws.ssm()), new PostgresRoles()));
    }

    public RotateSecretsHandler(SecretRotator rotator) {
        super(Input.class, "RotateSecrets");
        this.rotator = rotator;
    }

    @Override
    protected Input primingInput(PrimingSample sample) {
        return new Input(sample.request());
    }

    @Override
    protected RotationResult handle(Input input, StepLog log) {
        return rotator.rotate(input.request(), log);
    }
}
