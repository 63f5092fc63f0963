package dev.pushdeploy.request;

import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.Health;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.ledger.KeptImages;
import dev.pushdeploy.ledger.HistoryItem;
import dev.pushdeploy.ledger.LedgerReader;
import dev.pushdeploy.ledger.VerifiedRevisions;
import dev.pushdeploy.ledger.LockItem;
import dev.pushdeploy.ledger.WaiterItem;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.TaskDefinition;
import dev.pushdeploy.model.TaskDefinition.Container;
import dev.pushdeploy.release.TaskDefinitions;
import dev.pushdeploy.request.ImageRegistry.Image;
import dev.pushdeploy.request.LiveServices.Live;
import dev.pushdeploy.rollout.AlarmStates;
import dev.pushdeploy.rollout.ServiceReader;
import dev.pushdeploy.secrets.Slots;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * Prepare: turns an input's {@link Intent} into a {@link DeployRequest} and decides PROCEED,
 * IGNORED or REJECTED. It only reads (ECR, ECS, the ledger, the configuration, the deployment alarms): whatever
 * it decides, nothing in AWS has changed. Invalid input of any kind ends REJECTED with a reason naming the field;
 * only configuration and AWS failures propagate as exceptions.
 *
 * <p>The input is read from the execution itself (the text given to StartExecution, see
 * {@link ExecutionIntents}), so it never has to travel through the state machine.
 *
 * <p>IGNORED: a non-push ECR event; a push of one of the pipeline's keep tags ({@link KeptImages}), or whose tag
 * does not fully match the target's tagPattern (manual deploys are explicit and not filtered); a digest that is already live, or
 * a pushed digest in flight (held or queued by another request) for the service; a rollback to the live revision. A deploy
 * by hand or by a release of a digest in flight, or live while another request holds the lock (ECS names the revision
 * being rolled out live), waits for its turn instead: the run in flight may still roll back.
 *
 * <p>A service whose live revision runs no released image (its target container's image is not pinned by
 * digest: the stack's bootstrap revision, {@code <repository>:bootstrap} with no tasks) has no release yet. A push or
 * deploy to it is its first release: the request carries the configured desired count, which StartDeployment
 * sets with the new revision, and the service's count before it, which a rollback restores. A rollback or a
 * rotation of it is REJECTED: there is nothing to go back to, and nothing live to rotate away from; so is a rollback
 * of a released service to a revision that runs no release, unless it undoes a run (a release withdrawing the first
 * release it made): that one goes back to the bootstrap revision with no task. The signal is
 * the service itself, not the release parameters: those are what Finalize last wrote and anyone can edit them, and
 * trusting a stale {@code none} would rotate the slot a running release reads.
 *
 * <p>A rollback to "previous" goes to the revision that was live before the live one according to the
 * history ({@link VerifiedRevisions}): never to one that was rolled back, and a repeated "previous" walks
 * further back, past deregistered revisions (deregistering one is how an operator says never again). A "previous"
 * that waited for the run ahead of it goes back only from the revision live when it queued: once that run has
 * changed the live revision (rolled itself back, or went live when the rollback came before its move), the
 * rollback is IGNORED rather than going back one revision further than asked. So is a rollback that undoes a run
 * (a release's) once the revision that run left live was followed by another: it would undo that later change. While
 * another request holds the lock it waits for its turn first (that request may still roll back to the revision to undo),
 * and would move the service only from that revision if it got the lock at once. Only a
 * named revision (ARN or family:revision) can go anywhere else, a deregistered one too: StartDeployment then moves the
 * service to a copy of it, as ECS moves no service to an INACTIVE revision.
 */
public final class Preparer {
    private final ConfigSource config;
    private final ExecutionIntents intents;
    private final ImageRegistry registry;
    private final LiveServices liveServices;
    private final TaskDefinitions taskDefinitions;
    private final LedgerReader ledger;
    private final AlarmStates alarms;
    private final SlotParameters slotParameters;
    private final Clock clock;

    public Preparer(ConfigSource config, ExecutionIntents intents, ImageRegistry registry, ServiceReader services,
            TaskDefinitions taskDefinitions, LedgerReader ledger, AlarmStates alarms, SlotParameters slotParameters, Clock clock) {
        this.config = config;
        this.slotParameters = slotParameters;
        this.alarms = alarms;
        this.intents = intents;
        this.registry = registry;
        this.liveServices = new LiveServices(services, taskDefinitions);
        this.taskDefinitions = taskDefinitions;
        this.ledger = ledger;
        this.clock = clock;
    }

    /**
     * The execution working on a request: its ARN, its name (the request id) and its start time
     * ({@code $$.Execution.StartTime}, ISO 8601).
     */
    public record Execution(String executionArn, String executionName, String startTime) {
    }

    public DeployRequest prepare(Execution execution) {
        String requestId = null;
        try {
            requestId = Fields.requestId(execution.executionName());
            Run run = new Run(requestId, execution.executionArn(), startedAt(execution.startTime()));
            Intent intent = intents.intent(execution.executionArn());
            return switch (intent) {
                case Intent.Invalid invalid -> DeployRequest.ended(requestId, Decision.REJECTED, invalid.reason());
                case Intent.Skip skip -> DeployRequest.ended(requestId, Decision.IGNORED, skip.reason());
                case Intent.Push push -> push(run, push);
                case Intent.Deploy deploy -> deploy(run, deploy);
                case Intent.Rollback rollback -> rollback(run, rollback);
                case Intent.Rotate rotate -> rotate(run, rotate);
            };
        } catch (InvalidRequestException e) {
            return DeployRequest.ended(requestId, Decision.REJECTED, e.getMessage());
        }
    }

    /** The request id and what the ledger keys on: the execution and its start. */
    private record Run(String requestId, String executionArn, long startedAt) {
    }

    private static long startedAt(String startTime) {
        try {
            return OffsetDateTime.parse(startTime).toInstant().toEpochMilli();
        } catch (DateTimeParseException | NullPointerException e) {
            throw new InvalidRequestException("startTime", "'" + startTime + "' is not an ISO 8601 time");
        }
    }

    private DeployRequest push(Run run, Intent.Push push) {
        PipelineConfig pipeline = config.load();
        Target target = pipeline.forRepository(push.repository()).orElseThrow(() -> new InvalidRequestException(
                "detail.repository-name", "repository " + push.repository() + " is not mapped to a target"));
        Draft draft = new Draft(run, Action.DEPLOY, DeployRequest.PUSH, target, pipeline)
                .tag(push.tag())
                .reason("ECR push " + push.repository() + (push.tag() == null ? "@" + push.digest() : ":" + push.tag()));
        if (push.tag() == null) {
            return draft.end(Decision.IGNORED, "the image was pushed without a tag; tagPattern " + target.tagPattern().pattern() + " cannot match");
        }
        if (KeptImages.isKeepTag(push.tag())) {
            return draft.end(Decision.IGNORED, "tag " + push.tag() + " is the pipeline's own keep tag (" + KeptImages.PREFIX
                    + "*), put on an image a revision went live on; it deploys nothing");
        }
        if (!target.tagPattern().matcher(push.tag()).matches()) {
            return draft.end(Decision.IGNORED, "tag " + push.tag() + " does not match tagPattern " + target.tagPattern().pattern());
        }
        String uri = repositoryUri(target, "detail.repository-name");
        Image image = registry.image(target.repository(), push.digest()).orElseThrow(() -> new InvalidRequestException(
                "detail.image-digest", push.digest() + " is not an image of repository " + target.repository()));
        return deployImage(draft, target, uri, pushedAt(image, push.at()), "detail.image-digest");
    }

    /**
     * The image as its push orders it: ECR keeps an image's first push time when a later push only tags it (a
     * promotion or a retag back to an older build), so such a push is placed at its own event's time.
     */
    private static Image pushedAt(Image image, Instant eventAt) {
        if (eventAt == null || (image.pushedAt() != null && !eventAt.isAfter(image.pushedAt()))) {
            return image;
        }
        return new Image(image.digest(), image.tags(), eventAt, image.status());
    }

    private DeployRequest deploy(Run run, Intent.Deploy deploy) {
        ImageRef ref = deploy.image();
        PipelineConfig pipeline = config.load();
        Target target = pipeline.forRepository(ref.repository()).orElseThrow(() -> new InvalidRequestException(
                "image", "repository " + ref.repository() + " is not mapped to a target"));
        if (deploy.service() != null && !deploy.service().key().equals(target.serviceKey())) {
            throw new InvalidRequestException("service", deploy.service().key() + " is not the target of repository "
                    + target.repository() + " (" + target.serviceKey() + ")");
        }
        String uri = repositoryUri(target, "image");
        if (ref.registry() != null && !uri.equals(ref.registry() + "/" + ref.repository())) {
            throw new InvalidRequestException("image", "registry " + ref.registry() + " is not the registry of repository "
                    + target.repository() + " (" + uri + ")");
        }
        String reference = ref.digest() != null ? ref.digest() : ref.tag();
        Image image = registry.image(target.repository(), reference).orElseThrow(() -> new InvalidRequestException(
                "image", (ref.digest() != null ? ref.digest() : "tag " + ref.tag()) + " is not an image of repository " + target.repository()));
        Draft draft = new Draft(run, Action.DEPLOY, "manual", target, pipeline)
                .tag(ref.tag())
                .reason(deploy.reason() != null ? deploy.reason() : "manual deploy of " + ref.repository() + (ref.tag() != null ? ":" + ref.tag() : "@" + ref.digest()));
        return deployImage(draft, target, uri, image, "image");
    }

    private DeployRequest deployImage(Draft draft, Target target, String uri, Image image, String field) {
        if (image.unpullable() != null) {
            throw new InvalidRequestException(field, uri + "@" + image.digest() + " is an image " + image.unpullable()
                    + ": no task of it could start");
        }
        Live live = liveServices.live(target, "service", "container");
        draft.image(uri + "@" + image.digest(), image.digest())
                .pushedAt(image.pushedAt() == null ? null : image.pushedAt().toEpochMilli())
                .previous(live);
        if (image.digest().equals(live.digest()) && (draft.fromPush() || heldByAnother(target.serviceKey(), draft.requestId).isEmpty())) {
            return draft.end(Decision.IGNORED, image.digest() + " is already live in " + target.serviceKey() + " (" + live.taskDefinition().shortName() + ")");
        }
        Optional<String> inFlight = draft.fromPush() ? inFlight(target.serviceKey(), image.digest(), draft.requestId) : Optional.empty();
        if (inFlight.isPresent()) {
            return draft.end(Decision.IGNORED, image.digest() + " is already in flight for " + target.serviceKey() + " (request " + inFlight.get() + ")");
        }
        if (!live.released()) {
            draft.counts(target.desiredCount(), live.desiredCount());
        } else {
            live.requireTasks(target, "a deploy", "service");
        }
        if (!target.secrets().isEmpty()) {
            draft.liveSlots(target, live);
        }
        return draft.flags(!target.secrets().isEmpty(), true, target.scanSeverity() != null).proceed();
    }

    private DeployRequest rollback(Run run, Intent.Rollback rollback) {
        PipelineConfig pipeline = config.load();
        Target target = target(pipeline, rollback.service());
        Live live = liveServices.live(target, "service", "container");
        requireRelease(target, live, "there is nothing to roll back to");
        Optional<String> queuedFrom = rollback.to() == null ? queuedFrom(target, run.requestId()) : Optional.empty();
        if (queuedFrom.isPresent() && !Revisions.same(queuedFrom.get(), live.taskDefinition().arn())) {
            return new Draft(run, Action.ROLLBACK, "manual", target, pipeline).previous(live).end(Decision.IGNORED,
                    "the live revision of " + target.serviceKey() + " changed from " + Revisions.shortName(queuedFrom.get()) + " to "
                    + live.taskDefinition().shortName() + " while this rollback waited for the run ahead of it: 'previous' would now go"
                    + " back from " + live.taskDefinition().shortName() + ", which was not asked; nothing was done (roll back again to"
                    + " go back from " + live.taskDefinition().shortName() + ")");
        }
        TaskDefinition to = rollback.to() == null ? previousRevision(target, live) : namedRevision(rollback.to(), live);
        Container toContainer = to.container(target.container()).orElseThrow(() -> new InvalidRequestException(
                "to", to.shortName() + " has no container " + target.container()));
        boolean withdraw = !toContainer.released();
        if (withdraw && rollback.undoes() == null) {
            throw new InvalidRequestException("to", to.shortName() + " runs " + toContainer.image() + ", not an image pinned by digest"
                    + " (the stack's bootstrap revision, from before the first release): a rollback goes to a release; deploy an image instead");
        }
        String image = toContainer.image();
        Draft draft = new Draft(run, Action.ROLLBACK, "manual", target, pipeline)
                .reason(rollback.reason() != null ? rollback.reason() : "manual rollback to " + to.shortName())
                .image(image, ImageRef.digestOf(image))
                .previous(live)
                .target(to.arn());
        if (to.arn().equals(live.taskDefinition().arn())) {
            return draft.end(Decision.IGNORED, to.shortName() + " is already live in " + target.serviceKey());
        }
        if (rollback.undoes() != null) {
            HistoryItem undone = undoneRecord(target, rollback.undoes());
            if (undone.taskDefinition() != null && !Revisions.same(undone.taskDefinition(), live.taskDefinition().arn())) {
                if (heldByAnother(target.serviceKey(), draft.requestId).isEmpty()) {
                    return draft.end(Decision.IGNORED, movedOn(target, undone, live.taskDefinition()));
                }
                draft.from(undone.taskDefinition(), undone.image());
            }
            draft.undoes(undone.sortKey());
        }
        if (withdraw) {
            draft.counts(0, live.desiredCount());
        } else {
            requireHeld(run, pipeline, image, "to", to.shortName() + " runs " + image, "no task of " + to.shortName()
                    + " could start; roll back to a revision whose image ECR still holds, or deploy an image");
            requireSlots(target, to, toContainer);
        }
        return draft.flags(false, false, false).proceed();
    }

    /** The live revision when this request first queued for the lock (it is prepared again after each wait); empty before. */
    private Optional<String> queuedFrom(Target target, String requestId) {
        return ledger.waiters(target.serviceKey()).stream()
                .filter(w -> w.requestId().equals(requestId) && w.live() != null)
                .map(WaiterItem::live)
                .findFirst();
    }

    /** The record of the run a rollback undoes: it must exist and not have been undone already. */
    private HistoryItem undoneRecord(Target target, String requestId) {
        HistoryItem record = ledger.recordOf(target.serviceKey(), requestId).orElseThrow(() -> new InvalidRequestException(
                "undoes", "no history record of " + requestId + " among the newest " + LedgerReader.HISTORY_LOOKBACK
                        + " of " + target.serviceKey()));
        if (record.undoneBy() != null) {
            throw new InvalidRequestException("undoes", requestId + " was already undone by " + record.undoneBy());
        }
        return record;
    }

    /**
     * Why a rollback that undoes {@code undone} leaves the service alone: the revision that run left live has been followed
     * by another (a later run, or a change by hand), and going back would take that change back too.
     */
    private String movedOn(Target target, HistoryItem undone, TaskDefinition live) {
        boolean verified = ledger.verifiedRevisions(target.serviceKey()).verified(live.arn());
        return Revisions.shortName(undone.taskDefinition()) + ", which " + undone.requestId() + " left live, is no longer live in "
                + target.serviceKey() + ": " + live.shortName() + " is, " + (verified ? "verified by a later run" : "which no run verified")
                + "; undoing " + undone.requestId() + " now would take that change back too, so nothing was done";
    }

    private DeployRequest rotate(Run run, Intent.Rotate rotate) {
        PipelineConfig pipeline = config.load();
        Target target = target(pipeline, rotate.service());
        if (target.secrets().isEmpty()) {
            throw new InvalidRequestException("service", target.serviceKey() + " has no managed secrets to rotate");
        }
        Live live = liveServices.live(target, "service", "container");
        requireRelease(target, live, "there are no live secrets to rotate away from (the first release writes slot a of each)");
        live.requireTasks(target, "a rotation", "service");
        requireHeld(run, pipeline, live.image(), "service", "the live revision " + live.taskDefinition().shortName() + " runs "
                + live.image(), "a rotation starts new tasks of it, and none could start; deploy an image first");
        return new Draft(run, Action.ROTATE, "manual", target, pipeline)
                .reason(rotate.reason() != null ? rotate.reason() : "manual secret rotation")
                .image(live.image(), live.digest())
                .previous(live)
                .liveSlots(target, live)
                .flags(true, true, false)
                .proceed();
    }

    /**
     * Refuses a rollback to a revision whose managed secrets name a slot parameter Parameter Store no longer holds (the
     * pipeline never deletes one; an operator can): ECS would stop every task of it unable to pull its secrets.
     */
    private void requireSlots(Target target, TaskDefinition to, Container container) {
        List<String> named = target.secrets().stream()
                .flatMap(spec -> Slots.live(spec, container.secrets()).map(spec::slotParameter).stream())
                .toList();
        List<String> absent = named.isEmpty() ? List.of() : slotParameters.absent(named);
        if (!absent.isEmpty()) {
            throw new InvalidRequestException("to", to.shortName() + " reads its secrets from " + String.join(", ", absent)
                    + ", which Parameter Store no longer holds (deleted): no task of " + to.shortName() + " could start;"
                    + " roll back to another revision, or deploy an image");
        }
    }

    /**
     * Refuses a run that starts tasks of an image of the pipeline's repositories which ECR no longer holds (deleted by
     * hand, or expired by a lifecycle policy) or holds archived: none of them could pull it. Other registries' images are
     * not asked about.
     */
    private void requireHeld(Run run, PipelineConfig pipeline, String image, String field, String subject, String consequence) {
        Pipeline own = Pipeline.ofExecution(run.executionArn());
        Optional<ImageRef> ref = ImageRef.ofEcr(image, own.account(), own.region())
                .filter(r -> pipeline.forRepository(r.repository()).isPresent());
        if (ref.isEmpty()) {
            return;
        }
        Optional<Image> held = registry.image(ref.get().repository(), ref.get().reference());
        if (held.isEmpty()) {
            throw new InvalidRequestException(field, subject + ", which ECR no longer holds (deleted, or expired by the lifecycle policy"
                    + " of repository " + ref.get().repository() + "): " + consequence);
        }
        if (held.get().unpullable() != null) {
            throw new InvalidRequestException(field, subject + ", which " + held.get().unpullable() + ": " + consequence);
        }
    }

    private static Target target(PipelineConfig pipeline, ServiceRef service) {
        return pipeline.forService(service.cluster(), service.service()).orElseThrow(() -> new InvalidRequestException(
                "service", service.key() + " is not a configured target"));
    }

    private String repositoryUri(Target target, String field) {
        return registry.repositoryUri(target.repository()).orElseThrow(() -> new InvalidRequestException(
                field, "repository " + target.repository() + " does not exist in ECR"));
    }

    private static void requireRelease(Target target, Live live, String consequence) {
        if (!live.released()) {
            throw new InvalidRequestException("service", target.serviceKey() + " has no release yet: its live revision "
                    + live.taskDefinition().shortName() + " runs " + live.image() + ", not an image pinned by digest; " + consequence
                    + ". Push or deploy an image to make the first release");
        }
    }

    /**
     * Another request holding the service's lock (an expired lock does not count): while it does, the live revision
     * (the one ECS rolls out) may still be rolled back.
     */
    private Optional<LockItem> heldByAnother(String serviceKey, String requestId) {
        long now = clock.instant().getEpochSecond();
        return ledger.lock(serviceKey).filter(l -> !l.expired(now) && !l.holder().equals(requestId));
    }

    /** Another request holding the lock or queued for it with the same digest (expired items do not count). */
    private Optional<String> inFlight(String serviceKey, String digest, String requestId) {
        long now = clock.instant().getEpochSecond();
        Optional<String> holder = heldByAnother(serviceKey, requestId)
                .filter(l -> digest.equals(l.digest()))
                .map(LockItem::holder);
        if (holder.isPresent()) {
            return holder;
        }
        return ledger.waiters(serviceKey).stream()
                .filter(w -> !w.expired(now) && !w.requestId().equals(requestId) && digest.equals(w.digest()))
                .map(WaiterItem::requestId)
                .findFirst();
    }

    /** "previous": the nearest ACTIVE revision of the live family among the rollback targets the history allows. */
    private TaskDefinition previousRevision(Target target, Live live) {
        TaskDefinition current = live.taskDefinition();
        List<String> targets = ledger.verifiedRevisions(target.serviceKey()).rollbackTargets(current.arn());
        return targets.stream()
                .map(taskDefinitions::find)
                .flatMap(Optional::stream)
                .filter(td -> td.active() && td.family().equals(current.family()) && !td.arn().equals(current.arn()))
                .findFirst()
                .orElseThrow(() -> new InvalidRequestException("to", "the history names no ACTIVE revision of " + current.family()
                        + " that was live before " + current.shortName() + (targets.isEmpty() ? "" : " (went through "
                        + targets.stream().map(Revisions::shortName).toList() + ")")
                        + "; name the revision to roll back to (" + current.family() + ":<revision>, or its ARN)"));
    }

    private TaskDefinition namedRevision(String reference, Live live) {
        TaskDefinition td = taskDefinitions.find(reference).orElseThrow(() -> new InvalidRequestException("to", reference
                + (olderRevisionOf(reference, live.taskDefinition()) ? " is not described by ECS: deleted, or deregistered and no longer"
                + " kept (ECS describes a deregistered revision only as long as it keeps it); roll back to a revision ECS still describes"
                : " does not exist")));
        if (!td.family().equals(live.taskDefinition().family())) {
            throw new InvalidRequestException("to", td.shortName() + " is of family " + td.family() + ", the service runs family "
                    + live.taskDefinition().family());
        }
        return td;
    }

    /** Whether {@code reference} names an earlier revision of the live one's family (numbers are never reused: it existed). */
    private static boolean olderRevisionOf(String reference, TaskDefinition live) {
        int revision = Revisions.revision(reference);
        return revision > 0 && revision < live.revision() && Revisions.family(reference).equals(live.family());
    }

    /** The request being built; ends as PROCEED or with the decision and reason. */
    private final class Draft {
        final String requestId;
        final Target target;
        final DeployRequest.Builder request;
        private final String source;

        Draft(Run run, Action action, String source, Target target, PipelineConfig pipeline) {
            this.requestId = run.requestId();
            this.target = target;
            this.source = source;
            this.request = DeployRequest.builder()
                    .requestId(requestId).action(action).source(source)
                    .cluster(target.cluster()).service(target.service()).container(target.container())
                    .repository(target.repository())
                    .deadlineSeconds(Math.min(Health.MAX_DEADLINE_SECONDS,
                            target.health().deadlineSeconds() + target.strategy().plannedSeconds())).bakeSeconds(target.health().bakeSeconds())
                    .executionArn(run.executionArn()).startedAt(run.startedAt()).configVersion(pipeline.version())
                    .rollBackStoppedRuns(pipeline.rollBackStoppedRuns());
        }

        boolean fromPush() {
            return DeployRequest.PUSH.equals(source);
        }

        Draft tag(String value) {
            request.tag(value);
            return this;
        }

        Draft reason(String value) {
            request.reason(value);
            return this;
        }

        Draft image(String value, String digestOfValue) {
            request.image(value).digest(digestOfValue);
            return this;
        }

        Draft pushedAt(Long value) {
            request.pushedAt(value);
            return this;
        }

        Draft previous(Live live) {
            request.previousTaskDefinition(live.taskDefinition().arn()).previousImage(live.image());
            return this;
        }

        /**
         * The revision the request may move the service from, when it is not the live one: StartDeployment moves only from
         * it (else the run is interrupted), so a request prepared while another run holds the service changes nothing that
         * run left behind.
         */
        Draft from(String taskDefinition, String image) {
            request.previousTaskDefinition(taskDefinition).previousImage(image);
            return this;
        }

        /** The slot of each of the target's managed secrets that the live container references, for RotateSecrets. */
        Draft liveSlots(Target target, Live live) {
            request.liveSlots(Slots.live(target.secrets(), live.container().liveSecrets()));
            return this;
        }

        Draft undoes(String recordSortKey) {
            request.undoes(recordSortKey);
            return this;
        }

        /** The service's count changes with its revision: a first release starts it, undoing one stops every task. */
        Draft counts(int desiredCount, int previousDesiredCount) {
            request.desiredCount(desiredCount).previousDesiredCount(previousDesiredCount);
            return this;
        }

        Draft target(String taskDefinition) {
            request.targetTaskDefinition(taskDefinition);
            return this;
        }

        Draft flags(boolean rotateSecrets, boolean registerRevision, boolean gateOnScan) {
            request.rotate(rotateSecrets).register(registerRevision).scanGate(gateOnScan);
            return this;
        }

        DeployRequest proceed() {
            DeploymentAlarms.require(alarms, target, "health.alarms");
            return build(Decision.PROCEED, null);
        }

        DeployRequest end(Decision decision, String decisionReason) {
            flags(false, false, false);
            return build(decision, decisionReason);
        }

        private DeployRequest build(Decision decision, String decisionReason) {
            return request.decision(decision).decisionReason(decisionReason).build();
        }
    }
}
