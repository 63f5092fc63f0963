package dev.pushdeploy.request;

import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.ScanResult;
import dev.pushdeploy.model.ScanStatus;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.error.TransientException;
import dev.pushdeploy.request.ScanFindings.ScanReport;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The optional scan gate: reads the ECR scan of the request's digest and judges it with
 * waiter-style acceptors, first match wins:
 * <ol>
 *   <li>no scan yet, or IN_PROGRESS / PENDING → PENDING (scan on push may not have started or finished);</li>
 *   <li>COMPLETE / ACTIVE with findings at or above the target's scanSeverity → FAILED naming the counts;</li>
 *   <li>COMPLETE / ACTIVE otherwise → PASSED;</li>
 *   <li>any other status (FAILED, UNSUPPORTED_IMAGE, FINDINGS_UNAVAILABLE, …) → FAILED with ECR's description.</li>
 * </ol>
 * An image index (a multi-platform build, or buildx's default push with its provenance attestation) has no scan
 * of its own: its platform images are judged, each as above (counts: the most of any platform image per severity).
 * A scan still pending the target's scanDeadlineSeconds (by default {@value #DEFAULT_DEADLINE_SECONDS}) after
 * the execution started is TIMED_OUT (basic scans take seconds to minutes). A PENDING answer says when the workflow,
 * which waits for ECR's scan event ({@link ScanWatcher}), looks again should no event come: {@link #recheckSeconds}.
 * The gate does not start scans (read only): the repository's scan on push does.
 */
public final class ScanGate {
    /** ECR severities, lowest first; UNDEFINED and UNTRIAGED never block. */
    private static final List<String> SEVERITIES = List.of("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL");
    private static final Set<String> RUNNING = Set.of("IN_PROGRESS", "PENDING");
    private static final Set<String> DONE = Set.of("COMPLETE", "ACTIVE");
    /** What ECR may say of an index it cannot scan. */
    private static final String UNSUPPORTED = "UNSUPPORTED_IMAGE";
    /** How long after the execution started the gate waits for a scan result, unless the target says less. */
    public static final int DEFAULT_DEADLINE_SECONDS = 1800;
    /** The longest wait for a scan event before the workflow looks again. */
    public static final int MAX_RECHECK_SECONDS = 300;
    /** The shortest: the wait task invokes the gate, whose own timeout fits in it. */
    public static final int MIN_RECHECK_SECONDS = 75;

    private final ConfigSource config;
    private final ScanFindings scans;
    private final Clock clock;

    public ScanGate(ConfigSource config, ScanFindings scans, Clock clock) {
        this.config = config;
        this.scans = scans;
        this.clock = clock;
    }

    public ScanResult check(DeployRequest request) {
        if (request == null || request.cluster() == null) {
            throw new InvalidRequestException("request", "names no service to gate");
        }
        Optional<Target> target = config.load(request.configVersion()).forService(request.cluster(), request.service());
        Optional<String> severity = target.map(Target::scanSeverity);
        if (severity.isEmpty()) {
            return new ScanResult(ScanStatus.PASSED, "no scan gate is configured for " + request.serviceKey(), Map.of(), 0);
        }
        if (!request.scanGate()) {
            return new ScanResult(ScanStatus.PASSED, "the scan gate does not apply to a " + request.action() + " request", Map.of(), 0);
        }
        if (request.repository() == null || request.digest() == null) {
            throw new InvalidRequestException("request", "names no repository and digest to gate");
        }
        Judgement judged = judge(request.repository(), request.digest(), severity.get());
        int deadline = target.get().scanDeadlineSeconds();
        if (judged.status() == ScanStatus.PENDING && pastDeadline(request, deadline)) {
            return new ScanResult(ScanStatus.TIMED_OUT, "no scan result for " + request.digest() + " within " + deadline
                    + " s (" + judged.reason() + ")", judged.counts(), 0);
        }
        int recheck = judged.status() == ScanStatus.PENDING ? recheck(request, deadline) : 0;
        return new ScanResult(judged.status(), judged.reason(), judged.counts(), recheck);
    }

    /**
     * The run's first check, before any wait: a scan that cannot be read (throttling beyond the SDK's retries, a call cut
     * off by its bound) is no reason to fail the push but a scan not known yet, {@link #unread}, for the wait to look at
     * again as often as its Retry allows, and then at the scan's event or the recheck.
     */
    public ScanResult firstCheck(DeployRequest request) {
        try {
            return check(request);
        } catch (TransientException e) {
            return unread(request, e);
        }
    }

    /**
     * The answer when the scan could not be read ({@code error}: throttling beyond the SDK's retries, a call cut off by its
     * bound): before the deadline nothing is known, PENDING (looked at again as a pending scan is); past it TIMED_OUT, as a
     * scan still pending then. The deadline is the target's, or the longest a target may have when the configuration cannot
     * be read either.
     */
    public ScanResult unread(DeployRequest request, RuntimeException error) {
        int deadline;
        try {
            deadline = config.load(request.configVersion()).forService(request.cluster(), request.service())
                    .map(Target::scanDeadlineSeconds).orElse(DEFAULT_DEADLINE_SECONDS);
        } catch (TransientException e) {
            deadline = DEFAULT_DEADLINE_SECONDS;
        }
        String reason = "the scan could not be read: " + error.getMessage();
        if (pastDeadline(request, deadline)) {
            return new ScanResult(ScanStatus.TIMED_OUT, "no scan result for " + request.digest() + " within " + deadline
                    + " s (" + reason + ")", Map.of(), 0);
        }
        return new ScanResult(ScanStatus.PENDING, reason, Map.of(), recheck(request, deadline));
    }

    /**
     * The image's own scan; for an image index, which ECR does not scan (no scan, or UNSUPPORTED_IMAGE), the scans of
     * its platform images: the first that fails the gate decides, else the first still pending, else all passed.
     */
    private Judgement judge(String repository, String digest, String severity) {
        ScanReport own = scans.scan(repository, digest).orElse(null);
        List<String> platforms = own == null || UNSUPPORTED.equals(own.status()) ? scans.platformImages(repository, digest) : List.of();
        if (platforms.isEmpty()) {
            return judge(new Observation(own, severity, digest));
        }
        List<Judgement> each = platforms.stream()
                .map(image -> judge(new Observation(scans.scan(repository, image).orElse(null), severity, image))).toList();
        Map<String, Integer> counts = new TreeMap<>();
        each.forEach(j -> j.counts().forEach((level, count) -> counts.merge(level, count, Math::max)));
        for (ScanStatus deciding : List.of(ScanStatus.FAILED, ScanStatus.PENDING)) {
            for (int i = 0; i < each.size(); i++) {
                if (each.get(i).status() == deciding) {
                    return new Judgement(deciding, each.get(i).reason() + " (platform image " + (i + 1) + " of " + platforms.size()
                            + " of the index " + digest + ")", counts);
                }
            }
        }
        return new Judgement(ScanStatus.PASSED, "no findings at or above " + severity + " in the " + platforms.size()
                + " platform image(s) of the index " + digest, counts);
    }

    private static Judgement judge(Observation seen) {
        Acceptor match = ACCEPTORS.stream().filter(a -> a.matches().test(seen)).findFirst().orElseThrow();
        return new Judgement(match.status(), match.reason().apply(seen), seen.counts());
    }

    /** What the gate makes of a scan, or of the scans of an index's platform images; counts as ECR reports them. */
    private record Judgement(ScanStatus status, String reason, Map<String, Integer> counts) {
    }

    private int recheck(DeployRequest request, int deadlineSeconds) {
        return recheckSeconds(request.startedAt() == null ? Long.MAX_VALUE
                : request.startedAt() + deadlineSeconds * 1000L - clock.millis());
    }

    private boolean pastDeadline(DeployRequest request, int deadlineSeconds) {
        return request.startedAt() != null && clock.millis() - request.startedAt() >= deadlineSeconds * 1000L;
    }

    /**
     * How long the workflow waits for a scan event before it looks again: {@value #MAX_RECHECK_SECONDS} s, or until
     * just past the deadline when that is sooner, but at least {@value #MIN_RECHECK_SECONDS} s.
     */
    public static int recheckSeconds(long untilDeadlineMillis) {
        long untilPast = untilDeadlineMillis / 1000 + 1;
        return (int) Math.max(MIN_RECHECK_SECONDS, Math.min(MAX_RECHECK_SECONDS, untilPast));
    }

    private record Observation(ScanReport report, String severity, String digest) {
        boolean running() {
            return report == null || RUNNING.contains(report.status());
        }

        boolean done() {
            return report != null && DONE.contains(report.status());
        }

        Map<String, Integer> counts() {
            return report == null ? Map.of() : report.severityCounts();
        }

        /** Counts at or above the threshold, highest severity first. */
        Map<String, Integer> blocking() {
            Map<String, Integer> blocking = new TreeMap<>((a, b) -> SEVERITIES.indexOf(b) - SEVERITIES.indexOf(a));
            int threshold = SEVERITIES.indexOf(severity);
            counts().forEach((level, count) -> {
                if (SEVERITIES.indexOf(level) >= threshold && count != null && count > 0) {
                    blocking.put(level, count);
                }
            });
            return blocking;
        }
    }

    private record Acceptor(Predicate<Observation> matches, ScanStatus status, Function<Observation, String> reason) {
    }

    private static final List<Acceptor> ACCEPTORS = List.of(
            new Acceptor(Observation::running, ScanStatus.PENDING, o -> o.report() == null
                    ? "no scan of " + o.digest() + " exists yet"
                    : "the scan of " + o.digest() + " is " + o.report().status()),
            new Acceptor(o -> o.done() && !o.blocking().isEmpty(), ScanStatus.FAILED, o -> {
                int total = o.blocking().values().stream().mapToInt(Integer::intValue).sum();
                return total + " finding(s) at or above " + o.severity() + ": " + o.blocking().toString().replaceAll("[{}]", "");
            }),
            new Acceptor(Observation::done, ScanStatus.PASSED, o -> "no findings at or above " + o.severity()),
            new Acceptor(o -> true, ScanStatus.FAILED, o -> "the scan of " + o.digest() + " ended " + o.report().status()
                    + (o.report().description() == null ? "" : ": " + o.report().description())));
}
