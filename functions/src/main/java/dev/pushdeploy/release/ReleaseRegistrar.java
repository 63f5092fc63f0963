package dev.pushdeploy.release;

import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.RotationResult;
import dev.pushdeploy.model.SecretSlot;
import java.util.List;
import dev.pushdeploy.model.TaskDefinition;
import dev.pushdeploy.model.TaskDefinition.Container;
import java.util.Optional;

/**
 * Registers the revision a request deploys, derived from the request's previous (live)
 * revision. Idempotent per request id: before registering it looks among the family's newest
 * revisions (those newer than the live one) for one tagged with the request id and derived from the same live revision,
 * and returns that one ({@code created=false}) if an earlier attempt already registered it (a run prepared again after
 * the service moved derives its release afresh). The target container is the
 * request's, as Prepare took it from the configuration: a run keeps the configuration it started with.
 *
 * <p>A live revision that is not ACTIVE (deregistered; or deleted, which ECS describes, DELETE_IN_PROGRESS, only until
 * no service or task uses it) is the way back all the same, and ECS moves no service to it: an ACTIVE copy of it
 * is registered first ({@link RevisionChange#copyOf}; once, a retry finds it among the newest), which a rollback takes
 * when ECS refuses the original, and finds after ECS deleted it.
 */
public final class ReleaseRegistrar {
    /** How many of the family's newest revisions are searched for an earlier attempt's. */
    static final int LOOKBACK = 5;

    private final TaskDefinitions taskDefinitions;

    public ReleaseRegistrar(TaskDefinitions taskDefinitions) {
        this.taskDefinitions = taskDefinitions;
    }

    public Release register(DeployRequest request, RotationResult secrets, StepLog log) {
        validate(request);
        String container = request.container();
        TaskDefinition live = taskDefinitions.require(request.previousTaskDefinition());
        String requestTag = ReleaseDerivation.tagValue(request.requestId());
        List<String> newer = taskDefinitions.activeRevisions(live.family()).stream()
                .limit(LOOKBACK)
                .filter(arn -> Revisions.revision(arn) > live.revision())
                .toList();
        boolean copied = false;
        for (String arn : newer) {
            Optional<TaskDefinition> candidate = taskDefinitions.find(arn);
            if (candidate.isPresent() && requestTag.equals(candidate.get().tags().get(ReleaseDerivation.TAG_REQUEST_ID))
                    && Revisions.same(candidate.get().tags().get(ReleaseDerivation.TAG_DERIVED_FROM), live.arn())) {
                String image = candidate.get().container(container).map(Container::image).orElse(null);
                log.info("task definition already registered for this request", "taskDefinition", arn, "image", image);
                return new Release(arn, live.family(), candidate.get().revision(), image, false);
            }
            copied |= candidate.isPresent() && RevisionChange.isCopyOf(candidate.get(), live.arn());
        }
        if (!live.active() && !copied) {
            TaskDefinition copy = taskDefinitions.register(RevisionChange.copyOf(live));
            log.warn("the live revision is not ACTIVE: a copy of it is kept as the way back", "live", live.arn(), "copy", copy.arn());
        }
        List<SecretSlot> slots = secrets == null ? List.of() : secrets.secrets();
        RevisionChange change = ReleaseDerivation.derive(live, request, slots, container);
        int dropped = ReleaseDerivation.ownTags(live.tags()).size() - ReleaseDerivation.ownTags(change.tags()).size();
        if (dropped > 0) {
            log.warn("the live revision's last tags are not carried over: ECS takes at most 50, the pipeline's own among them",
                    "dropped", dropped);
        }
        TaskDefinition registered = taskDefinitions.register(change);
        log.info("task definition registered", "taskDefinition", registered.arn(),
                "previous", live.arn(), "image", change.image(), "secrets", slots.size());
        return new Release(registered.arn(), registered.family(), registered.revision(), change.image(), true);
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
        if (request.container() == null || request.container().isBlank()) {
            throw new InvalidRequestException("request.container", "is required: the container whose image the new revision changes");
        }
    }
}
