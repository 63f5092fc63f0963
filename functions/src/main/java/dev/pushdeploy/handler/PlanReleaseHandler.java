package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.adapter.aws.EcrRegistry;
import dev.pushdeploy.adapter.aws.SsmConfigSource;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.ReleasePlan;
import dev.pushdeploy.request.ImageRegistry;
import dev.pushdeploy.request.ReleasePlanner;
import java.util.List;

/** First step of a release: the manifest → a {@link ReleasePlan} (one digest per service), or InvalidRequestException. Reads only. */
public final class PlanReleaseHandler extends StepHandler<PlanReleaseHandler.Input, ReleasePlan> {
    /**
     * @param release  the release execution's name
     * @param manifest the release execution's input
     */
    public record Input(String release, Manifest manifest) {
    }

    /**
     * A release manifest, as given to the release state machine.
     *
     * @param images image references ({@code <repository>:<tag>} or {@code <repository>@sha256:…}, optionally with the registry)
     * @param reason optional, goes into every service's history record
     */
    public record Manifest(List<String> images, String reason) {
    }

    private final ReleasePlanner planner;

    /** Wired from the environment, as Lambda runs it. */
    public PlanReleaseHandler() {
        this(Env.require(Env.CONFIG_PARAMETER));
    }

    private PlanReleaseHandler(String configParameter) {
        this(new SsmConfigSource(Aws.ssm(), configParameter), new EcrRegistry(Aws.ecr()));
    }

    public PlanReleaseHandler(ConfigSource config, ImageRegistry registry) {
        super(Input.class, "PlanRelease");
        this.planner = new ReleasePlanner(config, registry);
    }

    @Override
    protected ReleasePlan handle(Input input, StepLog log) {
        Manifest manifest = input.manifest() == null ? new Manifest(null, null) : input.manifest();
        ReleasePlan plan = planner.plan(input.release(), manifest.reason(), manifest.images());
        log.info("release planned", "release", plan.release(), "services", plan.services().stream().map(ReleasePlan.Entry::service).toList());
        return plan;
    }
}
