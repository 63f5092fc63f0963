package dev.pushdeploy.release;

import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.error.ConfigurationException;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.RotationResult;
import dev.pushdeploy.model.SecretSlot;
import java.util.List;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;

/**
 * Registers the revision a request deploys, derived from the request's previous (live)
 * revision. Idempotent per request id: before registering it looks among the family's newest
 * revisions (those newer than the live one) for one tagged with the request id, and returns
 * that one ({@code created=false}) if an earlier attempt already registered it.
 */
public final class ReleaseRegistrar {
    /** How many of the family's newest revisions are searched for an earlier attempt's. */
    static final int LOOKBACK = 5;

    private final ConfigSource config;
    private final TaskDefinitions taskDefinitions;

    public ReleaseRegistrar(ConfigSource config, TaskDefinitions taskDefinitions) {
        this.config = config;
        this.taskDefinitions = taskDefinitions;
    }

    public Release register(DeployRequest request, RotationResult secrets, StepLog log) {
        validate(request);
        Target target = config.load().forService(request.cluster(), request.service())
                .orElseThrow(() -> new ConfigurationException("no target is configured for service " + request.serviceKey()));
        Revision live = taskDefinitions.describe(request.previousTaskDefinition());
        String family = live.definition().family();
        String requestTag = ReleaseDerivation.tagValue(request.requestId());
        for (String arn : taskDefinitions.newest(family, LOOKBACK)) {
            if (Revisions.revision(arn) <= live.definition().revision()) {
                continue;
            }
            Revision candidate = taskDefinitions.describe(arn);
            if (requestTag.equals(candidate.tag(ReleaseDerivation.TAG_REQUEST_ID))) {
                String image = imageOf(candidate.definition(), target.container());
                log.info("task definition already registered for this request", "taskDefinition", arn, "image", image);
                return new Release(arn, family, candidate.definition().revision(), image, false);
            }
        }
        List<SecretSlot> slots = secrets == null ? List.of() : secrets.secrets();
        ReleaseDerivation.Derived derived = ReleaseDerivation.derive(live.definition(), live.tags(), request, slots,
                target.container());
        TaskDefinition registered = taskDefinitions.register(derived.request());
        log.info("task definition registered", "taskDefinition", registered.taskDefinitionArn(),
                "previous", live.definition().taskDefinitionArn(), "image", derived.image(), "secrets", slots.size());
        return new Release(registered.taskDefinitionArn(), registered.family(), registered.revision(), derived.image(), true);
    }

    private static void validate(DeployRequest request) {
        if (request == null) {
            throw new InvalidRequestException("request", "is required");
        }
        if (!request.register()) {
            throw new InvalidRequestException("request.register", "this request does not register a task definition");
        }
        if (request.requestId() == null || request.requestId().isBlank()) {
            throw new InvalidRequestException("request.requestId", "is required");
        }
        if (request.previousTaskDefinition() == null || request.previousTaskDefinition().isBlank()) {
            throw new InvalidRequestException("request.previousTaskDefinition", "is required to derive the new revision");
        }
    }

    private static String imageOf(TaskDefinition definition, String container) {
        return definition.containerDefinitions().stream()
                .filter(c -> container.equals(c.name()))
                .map(c -> c.image())
                .findFirst()
                .orElse(null);
    }
}
