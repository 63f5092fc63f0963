package dev.pushdeploy.ledger;

import dev.pushdeploy.model.FinalizeResult;
import dev.pushdeploy.model.LockResult;
import dev.pushdeploy.model.Outcome;
import dev.pushdeploy.model.Result;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.RequestScoped;
import dev.pushdeploy.model.TaskDefinition;
import dev.pushdeploy.model.TaskDefinition.Container;
import dev.pushdeploy.release.TaskDefinitions;
import dev.pushdeploy.rollout.Deployment;
import dev.pushdeploy.rollout.EcsServices;
import dev.pushdeploy.rollout.ServiceState;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.model.Verdict;
import dev.pushdeploy.model.RotationResult;
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
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finalize: the last step of every execution that got past Prepare. In this order, each part safe
 * to repeat:
 * <ol>
 *   <li>if this request still holds the service's lock: keep the release parameters in step with
 *       the live revision (only changed ones are written) and deregister ACTIVE revisions beyond
 *       keepRevisions — never one the service still runs, the rollback target or the new release;</li>
 *   <li>write the history item (once per request: its key comes from {@code request.preparedAt});</li>
 *   <li>release the lock (conditional: only if this request holds it) and remove the request's waiter;</li>
 *   <li>publish the outcome (SNS and EventBridge) unless the history item says it was published.</li>
 * </ol>
 * Housekeeping that fails for a non-transient reason (e.g. access denied on a deregistration) is
 * reported as a warning instead of failing the step, so the lock is always released.
 */
public final class Finalizer {
    /** Longest reason kept; error causes can carry stack traces. */
    static final int REASON_MAX = 1024;

    /** The state document fields Finalize reads. {@code error} is a Catch clause's {@code {Error, Cause}}. */
    public record Input(
            DeployRequest request,
            Result result,
            Release release,
            Rollout rollout,
            CheckResult check,
            Rollout rollback,
            CheckResult rollbackCheck,
            LockResult lock,
            RotationResult secrets,
            JsonNode error) implements RequestScoped {
    }

    private final ConfigSource config;
    private final LedgerTable table;
    private final EcsServices services;
    private final TaskDefinitions taskDefinitions;
    private final ReleaseParameters parameters;
    private final String parameterPrefix;
    private final List<OutcomeSink> sinks;
    private final Clock clock;

    public Finalizer(ConfigSource config, LedgerTable table, EcsServices services, TaskDefinitions taskDefinitions,
            ReleaseParameters parameters, String parameterPrefix, List<OutcomeSink> sinks, Clock clock) {
        this.config = config;
        this.table = table;
        this.services = services;
        this.taskDefinitions = taskDefinitions;
        this.parameters = parameters;
        this.parameterPrefix = parameterPrefix.endsWith("/") ? parameterPrefix.substring(0, parameterPrefix.length() - 1) : parameterPrefix;
        this.sinks = List.copyOf(sinks);
        this.clock = clock;
    }

    public FinalizeResult finish(Input input, StepLog log) {
        DeployRequest request = input.request();
        if (request == null || request.requestId() == null) {
            throw new InvalidRequestException("request", "is required");
        }
        if (input.result() == null || input.result().outcome() == null) {
            throw new InvalidRequestException("result.outcome", "is required");
        }
        Outcome outcome = input.result().outcome();
        String reason = reason(input);
        String release = input.release() == null ? null : input.release().taskDefinition();
        String key = request.serviceKey();
        if (key == null) {
            publish(notice(request, outcome, reason, null, release, List.of(), List.of()));
            return new FinalizeResult(outcome, reason, null, request.image(), null, request.previousTaskDefinition(), List.of());
        }

        Optional<ServiceState> service = services.describe(request.cluster(), request.service());
        Optional<TaskDefinition> live = service.flatMap(s -> taskDefinitions.find(s.taskDefinition()));
        String liveArn = live.map(TaskDefinition::arn).orElse(service.map(ServiceState::taskDefinition).orElse(null));
        boolean holder = table.lock(key).filter(l -> request.requestId().equals(l.holder())).isPresent();

        List<String> deregistered = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (holder && live.isPresent()) {
            housekeeping("release parameters", warnings, log, () -> syncReleaseParameters(request, live.get()));
            housekeeping("deregistration", warnings, log, () -> deregistered.addAll(deregisterOld(request, release, service.get(), live.get(), log)));
        }

        long preparedAt = request.preparedAt() != null ? request.preparedAt() : clock.millis();
        String sortKey = HistoryItem.sortKey(Instant.ofEpochMilli(preparedAt), request.requestId());
        Optional<HistoryItem> existing = table.history(key, sortKey);
        if (existing.isEmpty()) {
            HistoryItem item = new HistoryItem(sortKey, request.requestId(), request.action(), request.source(), outcome, reason,
                    request.image(), request.digest(), request.tag(), liveArn, request.previousTaskDefinition(), release,
                    input.rollout() == null ? null : input.rollout().deploymentId(), secretSlots(input.secrets()),
                    deregistered, warnings, HistoryItem.time(clock.instant()), false);
            if (!table.putHistory(key, item)) {
                existing = table.history(key, sortKey);
            }
        }
        List<String> allDeregistered = Stream.concat(existing.map(HistoryItem::deregistered).orElse(List.of()).stream(), deregistered.stream())
                .distinct().toList();

        if (holder) {
            table.releaseLock(key, request.requestId());
        }
        table.removeWaiter(key, request.requestId());

        if (!existing.map(HistoryItem::published).orElse(false)) {
            publish(notice(request, outcome, reason, liveArn, release, allDeregistered, warnings));
            table.markPublished(key, sortKey);
        }
        log.info("finalized", "outcome", outcome, "taskDefinition", liveArn, "lockReleased", holder, "deregistered", allDeregistered);
        return new FinalizeResult(outcome, reason, key, request.image(), liveArn, request.previousTaskDefinition(), allDeregistered);
    }

    /**
     * result.reason; else the final verdict's reason of the check that matters (the rollback's check
     * for ROLLBACK_FAILED, the rollout's otherwise, then the other one); else the errorMessage in the
     * Catch output's Cause (Lambda's JSON), else the Cause text, else the Error name; else the outcome.
     */
    static String reason(Input input) {
        Outcome outcome = input.result().outcome();
        if (notBlank(input.result().reason())) {
            return clean(input.result().reason());
        }
        List<CheckResult> checks = (outcome == Outcome.ROLLBACK_FAILED
                ? Stream.of(input.rollbackCheck(), input.check())
                : Stream.of(input.check(), input.rollbackCheck())).filter(Objects::nonNull).toList();
        for (CheckResult check : checks) {
            if (check.verdict() != null && check.verdict() != Verdict.IN_PROGRESS && notBlank(check.reason())) {
                return clean(check.reason());
            }
        }
        String fromError = errorReason(input.error());
        return fromError != null ? fromError : outcome.name();
    }

    private static String errorReason(JsonNode error) {
        if (error == null || !error.isObject()) {
            return null;
        }
        String cause = error.path("Cause").asText("");
        if (notBlank(cause)) {
            String message = lambdaErrorMessage(cause);
            return clean(message != null ? message : cause);
        }
        String name = error.path("Error").asText("");
        return notBlank(name) ? clean(name) : null;
    }

    /** The errorMessage of a Lambda error Cause ({@code {"errorType":…,"errorMessage":…}}), or null. */
    private static String lambdaErrorMessage(String cause) {
        try {
            JsonNode parsed = Json.tree(cause);
            String message = parsed == null ? null : parsed.path("errorMessage").asText(null);
            return notBlank(message) ? message : null;
        } catch (IllegalArgumentException notJson) {
            return null;
        }
    }

    /** Printable, single-line, capped. */
    static String clean(String text) {
        String single = text.replaceAll("\\p{Cntrl}+", " ").strip();
        return single.length() <= REASON_MAX ? single : single.substring(0, REASON_MAX - 1) + "…";
    }

    /** {@code <prefix>/<cluster>/<service>/image} and {@code …/secret/<NAME>} from the live revision's target container. */
    private void syncReleaseParameters(DeployRequest request, TaskDefinition live) {
        Container container = live.container(request.container()).orElseThrow(() -> new AwsFailureException(
                "container " + request.container() + " is not in the live " + live.shortName(), null));
        String base = parameterPrefix + "/" + request.cluster() + "/" + request.service();
        Map<String, String> wanted = new LinkedHashMap<>();
        wanted.put(base + "/image", container.image());
        container.secrets().forEach((name, valueFrom) -> wanted.put(base + "/secret/" + name, valueFrom));
        wanted.forEach((name, value) -> {
            if (!parameters.read(name).equals(Optional.of(value))) {
                parameters.write(name, value);
            }
        });
    }

    private List<String> deregisterOld(DeployRequest request, String release, ServiceState service, TaskDefinition live, StepLog log) {
        Optional<Integer> keep = config.load().forService(request.cluster(), request.service()).map(Target::keepRevisions);
        if (keep.isEmpty()) {
            log.warn("no target configured; keeping every revision");
            return List.of();
        }
        Set<String> kept = new HashSet<>();
        Stream.concat(Stream.of(live.arn(), service.taskDefinition(), request.previousTaskDefinition(),
                                request.targetTaskDefinition(), release), service.deployments().stream().map(Deployment::taskDefinition))
                .filter(Objects::nonNull)
                .map(Finalizer::shortName)
                .forEach(kept::add);
        List<String> doomed = beyondKeep(taskDefinitions.activeRevisions(live.family()), keep.get(), kept);
        doomed.forEach(taskDefinitions::deregister);
        return doomed;
    }

    /** ACTIVE revisions past the {@code keep} newest, minus the protected ones (by family:revision), oldest first. */
    static List<String> beyondKeep(List<String> active, int keep, Set<String> protectedNames) {
        List<String> newestFirst = active.stream()
                .sorted(Comparator.comparingInt(Revisions::revision).reversed())
                .toList();
        return newestFirst.stream().skip(keep)
                .filter(arn -> !protectedNames.contains(shortName(arn)))
                .sorted(Comparator.comparingInt(Revisions::revision))
                .toList();
    }

    private static String shortName(String reference) {
        return Revisions.family(reference) + ":" + Revisions.revision(reference);
    }

    private void housekeeping(String what, List<String> warnings, StepLog log, Runnable work) {
        try {
            work.run();
        } catch (AwsFailureException e) {
            warnings.add(what + ": " + clean(e.getMessage()));
            log.warn(what + " failed; continuing", "error", e.getMessage());
        }
    }

    private void publish(OutcomeNotice notice) {
        sinks.forEach(sink -> sink.publish(notice));
    }

    private static OutcomeNotice notice(DeployRequest request, Outcome outcome, String reason, String taskDefinition,
            String release, List<String> deregistered, List<String> warnings) {
        return new OutcomeNotice(request.requestId(), outcome, reason, request.action(), request.serviceKey(), request.image(),
                taskDefinition, request.previousTaskDefinition(), release, deregistered, warnings);
    }

    private static List<String> secretSlots(RotationResult secrets) {
        return secrets == null ? List.of() : secrets.secrets().stream().map(s -> s.name() + "=" + s.slot()).toList();
    }

    private static boolean notBlank(String text) {
        return text != null && !text.isBlank();
    }
}
