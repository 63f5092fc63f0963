package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.adapter.aws.EcsTaskDefinitions;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.RequestScoped;
import dev.pushdeploy.model.RotationResult;
import dev.pushdeploy.release.ReleaseRegistrar;

/** RegisterTaskDefinition: the new revision for the request's image and secret slots ({@code $.release}). */
public final class RegisterTaskDefinitionHandler
        extends StepHandler<RegisterTaskDefinitionHandler.Input, Release> {
    /** The part of the state document this step reads; {@code secrets} is absent when nothing was rotated. */
    public record Input(DeployRequest request, RotationResult secrets) implements RequestScoped {
    }

    private final ReleaseRegistrar registrar;

    public RegisterTaskDefinitionHandler() {
        this(new ReleaseRegistrar(new EcsTaskDefinitions(Aws.ecs())));
    }

    public RegisterTaskDefinitionHandler(ReleaseRegistrar registrar) {
        super(Input.class, "RegisterTaskDefinition");
        this.registrar = registrar;
    }

    /**
     * This function may not read the service, but may list revisions: the newest ACTIVE revision of the family named
     * like the service (the template's families are), so that priming derives a revision from it.
     */
    @Override
    protected String primingLive(Target target) {
        try {
            return new EcsTaskDefinitions(Aws.ecs()).activeRevisions(target.service()).stream().findFirst().orElse(null);
        } catch (AwsFailureException e) {
            return null;
        }
    }

    @Override
    protected Input primingInput(PrimingSample sample) {
        return new Input(sample.request(), sample.secrets());
    }

    @Override
    protected Release handle(Input input, StepLog log) {
        return registrar.register(input.request(), input.secrets(), log);
    }
}
