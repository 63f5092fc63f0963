package dev.pushdeploy.ledger;

import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.error.ConfigurationException;
import dev.pushdeploy.error.TransientException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.Outcome;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.TaskDefinition;
import dev.pushdeploy.model.TaskDefinition.Container;
import dev.pushdeploy.model.Text;
import dev.pushdeploy.release.TaskDefinitions;
import dev.pushdeploy.rollout.Deployment;
import dev.pushdeploy.rollout.ServiceReader;
import dev.pushdeploy.rollout.ServiceState;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The steps that close a run's books, shared by Finalize and the reconciler. Each is safe to repeat and
 * to run concurrently with the other closer of the same run: the history record is written once (its key
 * comes from the execution's start), the lock is released only by its holder, and the notification is
 * claimed on the record before it is sent.
 */
public final class RunCloser {
    /** Longest reason kept; error causes can carry stack traces. */
    public static final int REASON_MAX = 1024;
    /**
     * The most revisions one run's end deregisters (the oldest first; later runs take the rest), so that a family with
     * hundreds of old revisions (a service adopted with its history) costs Finalize a few calls, not more than its timeout
     * under ECS's throttling of task definition changes, and the record's list stays short.
     */
    static final int MAX_DEREGISTRATIONS = 10;
    /** A release parameter's value while the service has no release. */
    public static final String NO_RELEASE = "none";

    private final ConfigSource config;
    private final LedgerTable table;
    private final ServiceReader services;
    private final TaskDefinitions taskDefinitions;
    private final ReleaseParameters parameters;
    private final KeptImages images;
    private final List<OutcomeSink> sinks;
    private final Clock clock;

    public RunCloser(ConfigSource config, LedgerTable table, ServiceReader services, TaskDefinitions taskDefinitions,
            ReleaseParameters parameters, KeptImages images, List<OutcomeSink> sinks, Clock clock) {
        this.config = config;
        this.table = table;
        this.services = services;
        this.taskDefinitions = taskDefinitions;
        this.parameters = parameters;
        this.images = images;
        this.sinks = List.copyOf(sinks);
        this.clock = clock;
    }

    /** What the service runs now. */
    public record Live(Optional<ServiceState> service, Optional<TaskDefinition> revision) {
        /** The live revision's ARN (the service's own reference when it cannot be described); null without a service. */
        public String arn() {
            return revision.map(TaskDefinition::arn).orElse(service.map(ServiceState::taskDefinition).orElse(null));
        }

        /** Whether the service runs the revision, or still has a deployment of it. */
        public boolean reached(String revision) {
            return service.filter(s -> s.isOn(revision) || s.deploymentOf(revision).isPresent()).isPresent();
        }
    }

    /** Housekeeping done for a run: revisions deregistered, and what failed without failing the run. */
    public record Housekeeping(List<String> deregistered, List<String> warnings) {
        public Housekeeping {
            deregistered = List.copyOf(deregistered);
            warnings = List.copyOf(warnings);
        }

        public static Housekeeping none() {
            return new Housekeeping(List.of(), List.of());
        }
    }

    public Live observe(DeployRequest request) {
        Optional<ServiceState> service = services.describe(request.cluster(), request.service());
        return new Live(service, service.flatMap(s -> taskDefinitions.find(s.taskDefinition())));
    }

    /** Whether the run holds its lock, taken over by the reconciler or not (the reconciler moves the service back with it). */
    public boolean holds(DeployRequest request) {
        return table.lock(request.serviceKey()).filter(l -> request.requestId().equals(l.holder())).isPresent();
    }

    /**
     * Whether the run holds its lock and the reconciler has not taken it over: only then does its own end (Finalize) keep
     * house with it. A run taken over (a redriven execution's Finalize) leaves house and lock to the reconciler's close.
     */
    public boolean holdsUntakenOver(DeployRequest request) {
        return new LockOwnership(table).holds(request);
    }

    /**
     * Takes an ended run over: marks its lock closing, so its steps still in flight stop moving the service
     * (a move that lands after this mark is undone by the step itself). True when the run holds the lock.
     */
    public boolean takeOver(DeployRequest request) {
        return table.closeLock(request.serviceKey(), request.requestId());
    }

    /**
     * For the lock's holder only: the release parameters name the live revision's image and secret slots
     * (only changed ones are written), the live image and the way back's carry their revisions' keep tags ({@link KeptImages}),
     * and, with {@code deregister}, ACTIVE revisions beyond keepRevisions are deregistered and their keep tags
     * taken off. A non-transient AWS failure, or a configuration that cannot be read (its parameter deleted), becomes a
     * warning instead of failing the run's end.
     */
    public Housekeeping keepHouse(DeployRequest request, String release, Live live, boolean deregister, StepLog log) {
        if (live.revision().isEmpty()) {
            return Housekeeping.none();
        }
        List<String> deregistered = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        housekeeping("release parameters", warnings, log, () -> syncReleaseParameters(request, live.revision().get()));
        Optional<String> repository = housekeeping("image keep tags", warnings, log, () -> target(request).map(Target::repository).orElse(null));
        housekeeping("image keep tags", warnings, log, () -> repository.ifPresent(r -> keptRevisions(request, live).forEach(revision ->
                keepImage(request, r, revision, log))));
        if (deregister) {
            housekeeping("deregistration", warnings, log, () -> deregistered.addAll(deregisterOld(request, release, live, log)));
            housekeeping("image keep tags", warnings, log, () -> repository.ifPresent(r -> deregistered.forEach(arn ->
                    images.letGo(r, KeptImages.tag(Revisions.family(arn), Revisions.revision(arn))))));
        }
        return new Housekeeping(deregistered, warnings);
    }

    private Optional<Target> target(DeployRequest request) {
        return config.load(request.configVersion()).forService(request.cluster(), request.service());
    }

    /**
     * The revisions whose images a run's end keeps: the live one, and the one the run started from (the way back, also for
     * images that went live before keep tags) while it is ACTIVE.
     */
    private List<TaskDefinition> keptRevisions(DeployRequest request, Live live) {
        TaskDefinition now = live.revision().orElseThrow();
        String previous = request.previousTaskDefinition();
        if (previous == null || shortName(previous).equals(now.shortName())) {
            return List.of(now);
        }
        return Stream.concat(Stream.of(now), taskDefinitions.find(previous).filter(TaskDefinition::active).stream()).toList();
    }

    /** Tags the revision's image, when it is a release of the service's repository, with the revision's keep tag. */
    private void keepImage(DeployRequest request, String repository, TaskDefinition revision, StepLog log) {
        Optional<Container> container = revision.container(request.container()).filter(c -> Container.releaseOf(c.image(), repository));
        if (container.isEmpty()) {
            return;
        }
        String image = container.get().image();
        if (!images.keep(repository, image.substring(image.lastIndexOf('@') + 1), KeptImages.tag(revision.family(), revision.revision()))) {
            log.warn("the image is not in its repository; nothing to keep", "revision", revision.shortName(), "image", image);
        }
    }

    /** What closing a run left: its history record, and whether this close sent its notification. */
    public record Closed(HistoryItem record, boolean announced) {
    }

    /**
     * The end every run gets, in order: house kept when it holds the lock ({@link #keepHouse}), its
     * history recorded, the lock and waiter released, the record announced.
     */
    public Closed close(DeployRequest request, Ending ending, Live live, boolean holder, boolean deregister, String recordedBy,
                        StepLog log) {
        return close(request, ending, live, holder, deregister, recordedBy, null, log);
    }

    /** As {@link #close(DeployRequest, Ending, Live, boolean, boolean, String, StepLog)}, the lock kept until {@code keepLockUntil} when not null. */
    public Closed close(DeployRequest request, Ending ending, Live live, boolean holder, boolean deregister, String recordedBy,
                        Instant keepLockUntil, StepLog log) {
        Housekeeping house = holder ? keepHouse(request, ending.release(), live, deregister, log) : Housekeeping.none();
        HistoryItem record = record(request, ending, live, house, recordedBy);
        release(request, keepLockUntil);
        return new Closed(record, announce(request.serviceKey(), record));
    }

    /** The run's history record, if one was written (for a run that undoes another: once it completed that record). */
    public Optional<HistoryItem> recorded(DeployRequest request) {
        return recordOf(table, request);
    }

    /** The run's history record in {@code table}, if one was written (see {@link #recorded}). */
    static Optional<HistoryItem> recordOf(LedgerTable table, DeployRequest request) {
        return table.history(request.serviceKey(), sortKey(request))
                .filter(r -> request.undoes() == null || request.requestId().equals(r.undoneBy()));
    }

    /**
     * Writes the run's history record unless it exists; answers the stored one. A run that undoes another
     * completes that run's record instead (once; see {@link #undone}).
     */
    public HistoryItem record(DeployRequest request, Ending ending, Live live, Housekeeping house, String recordedBy) {
        String key = request.serviceKey();
        String sortKey = sortKey(request);
        Optional<HistoryItem> existing = table.history(key, sortKey);
        List<String> warnings = Stream.concat(ending.notes().stream(), house.warnings().stream()).map(RunCloser::clean).toList();
        if (existing.isPresent()) {
            HistoryItem found = existing.get();
            if (found.requestId().equals(request.requestId()) || found.undoneBy() != null) {
                return found;
            }
            HistoryItem completed = undone(found, request, ending, live, house, warnings, recordedBy);
            return table.completeHistory(key, completed) ? completed : table.history(key, sortKey).orElse(found);
        }
        HistoryItem item = new HistoryItem(sortKey, request.requestId(), request.action(), request.source(), ending.outcome(),
                clean(ending.reason()), ending.error(), ending.rollback() == null ? null : clean(ending.rollback()),
                request.image(), request.digest(), request.tag(), live.arn(), request.previousTaskDefinition(), ending.release(),
                ending.verified(), ending.deploymentId(), ending.reach(), secretSlots(ending), house.deregistered(), warnings,
                HistoryItem.time(clock.instant()), recordedBy, null, false);
        if (table.putHistory(key, item)) {
            return item;
        }
        return table.history(key, sortKey).orElse(item);
    }

    /**
     * The undone run's record completed by the rollback that undid it: ROLLED_BACK when the rollback
     * went live healthy, ROLLBACK_FAILED otherwise; the reason is the rollback's (why it was undone), the
     * rollback text says where the service ended, and the verified revision is the one the rollback saw healthy at
     * its end (its target, or the run's own revision when the rollback went back to it); what the run itself did
     * (image, revisions, slots) stays.
     */
    private HistoryItem undone(HistoryItem run, DeployRequest undo, Ending ending, Live live, Housekeeping house,
                               List<String> warnings, String recordedBy) {
        boolean back = ending.outcome() == Outcome.SUCCEEDED;
        String target = Revisions.shortName(undo.targetTaskDefinition());
        String rollback = (back ? "back on " + target : "rollback to " + target + " ended " + ending.outcome())
                + " (" + undo.requestId() + "): " + Objects.requireNonNullElse(ending.rollback(), ending.reason());
        List<String> deregistered = Stream.concat(run.deregistered().stream(), house.deregistered().stream()).toList();
        List<String> allWarnings = Stream.concat(run.warnings().stream(), warnings.stream()).toList();
        return new HistoryItem(run.sortKey(), run.requestId(), run.action(), run.source(),
                back ? Outcome.ROLLED_BACK : Outcome.ROLLBACK_FAILED, clean(undo.reason()), ending.error(), clean(rollback),
                run.image(), run.digest(), run.tag(), live.arn(), run.previousTaskDefinition(), run.releaseTaskDefinition(),
                ending.verified(), run.deploymentId(), run.reach(), run.secretSlots(), deregistered, allWarnings,
                HistoryItem.time(clock.instant()), recordedBy, undo.requestId(), false);
    }

    /**
     * {@link #release(DeployRequest)}, except that with {@code keepUntil} the lock, if this request holds it, runs
     * out then instead of now (it stays closing: no step of the run moves the service with it, no other request
     * takes it before then).
     */
    public void release(DeployRequest request, Instant keepUntil) {
        if (keepUntil == null) {
            release(request);
            return;
        }
        table.keepLock(request.serviceKey(), request.requestId(), keepUntil.getEpochSecond());
        table.removeWaiter(request.serviceKey(), request.requestId());
    }

    /** Releases the lock if this request holds it (unless kept for a step of its ended run), and removes its waiter. */
    public void release(DeployRequest request) {
        table.releaseLock(request.serviceKey(), request.requestId());
        table.removeWaiter(request.serviceKey(), request.requestId());
    }

    /**
     * Publishes the record once: claimed on the record first, then sent to every channel, one failing channel silencing
     * none of the others. A transient failure gives the claim back (a retry sends it again, to every channel); any failure
     * then fails the step, the first one thrown.
     */
    public boolean announce(String serviceKey, HistoryItem record) {
        if (record.published() || !table.setPublished(serviceKey, record.sortKey(), true)) {
            return false;
        }
        List<RuntimeException> failures = publish(OutcomeNotice.of(serviceKey, record));
        if (failures.stream().anyMatch(TransientException.class::isInstance)) {
            table.setPublished(serviceKey, record.sortKey(), false);
        }
        if (!failures.isEmpty()) {
            throw failures.getFirst();
        }
        return true;
    }

    /** Publishes a notice for a request that names no service (no record can be kept for it), to every channel. */
    public void announceUnrecorded(OutcomeNotice notice) {
        List<RuntimeException> failures = publish(notice);
        if (!failures.isEmpty()) {
            throw failures.getFirst();
        }
    }

    /** The notice sent to every channel; what each failing one threw. */
    private List<RuntimeException> publish(OutcomeNotice notice) {
        List<RuntimeException> failures = new ArrayList<>();
        for (OutcomeSink sink : sinks) {
            try {
                sink.publish(notice);
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        return failures;
    }

    /**
     * {@code hist#<execution start>#<requestId>}: the same for Finalize and the reconciler of one run; for a
     * run that undoes another, that run's key.
     */
    public static String sortKey(DeployRequest request) {
        if (request.undoes() != null) {
            return request.undoes();
        }
        long startedAt = request.startedAt() != null ? request.startedAt() : 0;
        return HistoryItem.sortKey(Instant.ofEpochMilli(startedAt), request.requestId());
    }

    /** Printable, single-line, capped; null stays null. */
    public static String clean(String text) {
        if (text == null) {
            return null;
        }
        String single = text.replaceAll("\\p{Cntrl}+", " ").strip();
        return Text.atMost(single, REASON_MAX);
    }

    /**
     * {@code <prefix>/<cluster>/<service>/image} and {@code …/secret/<NAME>} from the live revision's target container, under the
     * current document's prefix (the names the stack reads now, which a run prepared before a change of the prefix did not know;
     * the run's own document's while the current one cannot be read);
     * {@value #NO_RELEASE} for the image and every managed secret while that container runs no release (the stack's
     * bootstrap revision, after a first release was rolled back), whatever they held.
     */
    private void syncReleaseParameters(DeployRequest request, TaskDefinition live) {
        Container container = live.container(request.container()).orElseThrow(() -> new AwsFailureException(
                "container " + request.container() + " is not in the live " + live.shortName(), null));
        ReleaseParameterNames names = new ReleaseParameterNames(releaseParameterPrefix(request), request.cluster(), request.service());
        Map<String, String> wanted = new LinkedHashMap<>();
        if (container.released()) {
            wanted.put(names.image(), container.image());
            container.secrets().forEach((name, valueFrom) -> wanted.put(names.secret(name), valueFrom));
        } else {
            wanted.put(names.image(), NO_RELEASE);
            target(request).map(Target::secrets).orElse(List.of())
                    .forEach(spec -> wanted.put(names.secret(spec.name()), NO_RELEASE));
        }
        wanted.forEach((name, value) -> {
            if (!parameters.read(name).equals(Optional.of(value))) {
                parameters.write(name, value);
            }
        });
    }

    /** The current document's prefix; the run's own document's while the current one cannot be read (broken by hand). */
    private String releaseParameterPrefix(DeployRequest request) {
        try {
            return config.load().releaseParameterPrefix();
        } catch (ConfigurationException unreadable) {
            return config.load(request.configVersion()).releaseParameterPrefix();
        }
    }

    private List<String> deregisterOld(DeployRequest request, String release, Live live, StepLog log) {
        Optional<Integer> keep = target(request).map(Target::keepRevisions);
        if (keep.isEmpty()) {
            log.warn("no target configured; keeping every revision");
            return List.of();
        }
        TaskDefinition revision = live.revision().orElseThrow();
        VerifiedRevisions verified = table.verifiedRevisions(request.serviceKey());
        Set<String> protectedNames = new HashSet<>();
        Stream.concat(Stream.of(revision.arn(), live.service().map(ServiceState::taskDefinition).orElse(null),
                                request.previousTaskDefinition(), request.targetTaskDefinition(), release,
                                verified.previousOf(revision.arn()).orElse(null)),
                        live.service().map(ServiceState::deployments).orElse(List.of()).stream().map(Deployment::taskDefinition))
                .filter(Objects::nonNull)
                .map(RunCloser::shortName)
                .forEach(protectedNames::add);
        List<String> doomed = beyondKeep(taskDefinitions.activeRevisions(revision.family()), keep.get(), protectedNames,
                verified.newest(keep.get()));
        doomed.forEach(taskDefinitions::deregister);
        return doomed;
    }

    /**
     * What keep-N deregisters, oldest first and at most {@value #MAX_DEREGISTRATIONS} a run: every ACTIVE revision but the
     * protected ones (live, in use, rollback targets, this run's), the {@code keep} newest verified ones, and — only while
     * fewer than {@code keep} are kept — the newest others. Revisions nobody saw healthy therefore go first.
     */
    static List<String> beyondKeep(List<String> active, int keep, Set<String> protectedNames, Set<String> newestVerified) {
        Set<String> kept = new HashSet<>();
        active.stream().map(RunCloser::shortName)
                .filter(name -> protectedNames.contains(name) || newestVerified.contains(name))
                .forEach(kept::add);
        active.stream()
                .sorted(Comparator.comparingInt(Revisions::revision).reversed())
                .map(RunCloser::shortName)
                .filter(name -> !kept.contains(name))
                .limit(Math.max(0, keep - kept.size()))
                .toList()
                .forEach(kept::add);
        return active.stream()
                .filter(arn -> !kept.contains(shortName(arn)))
                .sorted(Comparator.comparingInt(Revisions::revision))
                .limit(MAX_DEREGISTRATIONS)
                .toList();
    }

    private static String shortName(String reference) {
        return Revisions.family(reference) + ":" + Revisions.revision(reference);
    }

    private void housekeeping(String what, List<String> warnings, StepLog log, Runnable work) {
        housekeeping(what, warnings, log, () -> {
            work.run();
            return null;
        });
    }

    /** What {@code read} answers, or empty when it failed so (the failure a warning). */
    private <T> Optional<T> housekeeping(String what, List<String> warnings, StepLog log, Supplier<T> read) {
        try {
            return Optional.ofNullable(read.get());
        } catch (AwsFailureException | ConfigurationException e) {
            warnings.add(what + ": " + clean(e.getMessage()));
            log.warn(what + " failed; continuing", "error", e.getMessage());
            return Optional.empty();
        }
    }

    private static List<String> secretSlots(Ending ending) {
        return ending.secrets() == null ? List.of() : ending.secrets().secrets().stream().map(s -> s.name() + "=" + s.slot()).toList();
    }
}
