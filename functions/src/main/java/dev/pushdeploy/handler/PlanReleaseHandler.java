package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.adapter.aws.EcrRegistry;
import dev.pushdeploy.adapter.aws.CloudWatchAlarmStates;
import dev.pushdeploy.adapter.aws.EcsTaskDefinitions;
import dev.pushdeploy.adapter.aws.SdkEcsServices;
import dev.pushdeploy.adapter.aws.SsmConfigSource;
import dev.pushdeploy.adapter.json.ManifestParser;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.rollout.AlarmStates;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.ReleasePlan;
import dev.pushdeploy.release.TaskDefinitions;
import dev.pushdeploy.request.ImageRegistry;
import dev.pushdeploy.request.LiveServices;
import dev.pushdeploy.request.ReleasePlanner;
import dev.pushdeploy.rollout.ServiceReader;
import java.util.List;
import java.util.Map;

/** First step of a release: the manifest → a {@link ReleasePlan} (one digest per service), or InvalidRequestException. Reads only (ECR, ECS, the alarms). */
public final class PlanReleaseHandler extends StepHandler<PlanReleaseHandler.Input, ReleasePlan> {
    /**
     * @param release  the release execution's name
     * @param manifest the release execution's input as a JSON tree, read strictly by {@link ManifestParser}
     */
    public record Input(String release, Object manifest) {
    }

    private final ReleasePlanner planner;

    /** Wired from the environment, as Lambda runs it. */
    public PlanReleaseHandler() {
        this(Env.require(Env.CONFIG_PARAMETER));
    }

    private PlanReleaseHandler(String configParameter) {
        this(new SsmConfigSource(Aws::ssm, configParameter), new EcrRegistry(Aws::ecr), new CloudWatchAlarmStates(Aws::cloudWatch),
                new SdkEcsServices(Aws::ecs), new EcsTaskDefinitions(Aws::ecs));
    }

    public PlanReleaseHandler(ConfigSource config, ImageRegistry registry, AlarmStates alarms, ServiceReader services,
            TaskDefinitions taskDefinitions) {
        super(Input.class, "PlanRelease");
        this.planner = new ReleasePlanner(config, registry, alarms, new LiveServices(services, taskDefinitions));
    }

    /** A release of the first configured service's priming image (ECR's answer for it made in process): the whole plan, the service read. */
    @Override
    protected Input primingInput(PrimingSample sample) {
        return new Input(PrimingSample.REQUEST_ID, Map.of("services",
                List.of(Map.of("service", sample.target().serviceKey(), "image", sample.request().image()))));
    }

    @Override
    protected ReleasePlan handle(Input input, StepLog log) {
        ReleasePlan plan = planner.plan(input.release(), ManifestParser.parse(input.manifest()));
        log.info("release planned", "release", plan.release(), "services", plan.services().stream().map(ReleasePlan.Entry::service).toList());
        return plan;
    }
}
