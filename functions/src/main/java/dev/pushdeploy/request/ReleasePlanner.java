package dev.pushdeploy.request;

import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.rollout.AlarmStates;
import dev.pushdeploy.model.ReleasePlan;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates a release manifest and pins it: every entry names a configured service, whose deployment alarms exist,
 * and an image of that service's repository that exists in ECR (a tag is resolved to its digest now, so the release
 * deploys what was asked at this moment), one entry per service. Each service is checked as its deployment's Prepare
 * checks it ({@link LiveServices}): one that does not exist, or is scaled to 0 tasks, would refuse its deployment only
 * after the others had gone live, and they would all be rolled back. Reads only; a manifest that cannot
 * be released is rejected, naming the field, before anything is written or started.
 */
public final class ReleasePlanner {
    /** Services in one release (one deployment execution each, all started at once). */
    public static final int MAX_SERVICES = 10;
    /** The release's name: its execution's name, kept short enough to prefix the services' executions. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,40}");
    static final int REASON_MAX = 256;
    static final int IMAGE_MAX = 512;
    static final int SERVICE_MAX = 511;
    static final int EXECUTION_NAME_MAX = 80;
    static final String ROLLBACK_SUFFIX = "-rollback";
    private static final int HASH_DIGITS = 8;
    private static final Pattern SERVICE = Pattern.compile("([A-Za-z0-9_-]{1,255})/([A-Za-z0-9_-]{1,255})");

    private final ConfigSource config;
    private final ImageRegistry registry;
    private final AlarmStates alarms;
    private final LiveServices liveServices;

    public ReleasePlanner(ConfigSource config, ImageRegistry registry, AlarmStates alarms, LiveServices services) {
        this.config = config;
        this.registry = registry;
        this.alarms = alarms;
        this.liveServices = services;
    }

    public ReleasePlan plan(String release, ReleaseManifest manifest) {
        if (release == null || !NAME.matcher(release).matches()) {
            throw new InvalidRequestException("release", "the release's name (its execution's name) must be 1-40 letters, digits, - or _");
        }
        if (manifest.reason() != null) {
            Fields.check("reason", manifest.reason(), REASON_MAX);
        }
        List<ReleaseManifest.Entry> wanted = manifest.services();
        if (wanted.isEmpty() || wanted.size() > MAX_SERVICES) {
            throw new InvalidRequestException("services", "a release names 1 to " + MAX_SERVICES + " services, not " + wanted.size());
        }
        PipelineConfig targets = config.load();
        Set<String> services = new HashSet<>();
        Set<String> executions = new HashSet<>();
        List<ReleasePlan.Entry> entries = new ArrayList<>();
        for (int i = 0; i < wanted.size(); i++) {
            String field = "services[" + i + "]";
            ReleaseManifest.Entry entry = wanted.get(i);
            Target target = target(targets, entry.service(), field + ".service");
            if (!services.add(target.serviceKey())) {
                throw new InvalidRequestException(field + ".service", target.serviceKey() + " is named twice; a release deploys one image per service");
            }
            LiveServices.Live live = liveServices.live(target, field + ".service", field + ".service");
            String image = image(target, entry.image(), field + ".image");
            DeploymentAlarms.require(alarms, target, field + ".service");
            if (live.released() && !live.digest().equals(ImageRef.digestOf(image))) {
                live.requireTasks(target, "a deploy", field + ".service");
            }
            String execution = executionName(release, target.cluster(), target.service());
            if (!executions.add(execution)) {
                throw new InvalidRequestException(field + ".service", "the execution name " + execution + " would repeat; rename the release");
            }
            entries.add(new ReleasePlan.Entry(target.serviceKey(), image, execution, execution + ROLLBACK_SUFFIX));
        }
        String why = manifest.reason() == null ? "" : ": " + manifest.reason();
        return new ReleasePlan(release, "release " + release + why,
                "release " + release + " rolled back: not every service went live" + why, entries,
                targets.rollBackStoppedRuns());
    }

    private static Target target(PipelineConfig targets, String service, String field) {
        if (service == null) {
            throw new InvalidRequestException(field, "is required");
        }
        Fields.check(field, service, SERVICE_MAX);
        Matcher m = SERVICE.matcher(service);
        if (!m.matches()) {
            throw new InvalidRequestException(field, "'" + service + "' must be <cluster>/<service> (letters, digits, - and _)");
        }
        return targets.forService(m.group(1), m.group(2)).orElseThrow(() -> new InvalidRequestException(
                field, service + " is not a service of this pipeline"));
    }

    /** The image pinned by digest, of the target's repository. */
    private String image(Target target, String text, String field) {
        if (text == null) {
            throw new InvalidRequestException(field, "is required");
        }
        Fields.check(field, text, IMAGE_MAX);
        ImageRef ref = ImageRef.parse(text, field);
        if (!ref.repository().equals(target.repository())) {
            throw new InvalidRequestException(field, "repository " + ref.repository() + " is not " + target.serviceKey()
                    + "'s repository (" + target.repository() + ")");
        }
        String uri = registry.repositoryUri(target.repository()).orElseThrow(() -> new InvalidRequestException(
                field, "repository " + target.repository() + " does not exist in ECR"));
        if (ref.registry() != null && !uri.equals(ref.registry() + "/" + ref.repository())) {
            throw new InvalidRequestException(field, "registry " + ref.registry() + " is not the registry of repository "
                    + target.repository() + " (" + uri + ")");
        }
        String reference = ref.digest() != null ? ref.digest() : ref.tag();
        ImageRegistry.Image image = registry.image(target.repository(), reference).orElseThrow(() -> new InvalidRequestException(
                field, (ref.digest() != null ? ref.digest() : "tag " + ref.tag()) + " is not an image of repository " + target.repository()));
        if (image.unpullable() != null) {
            throw new InvalidRequestException(field, uri + "@" + image.digest() + " is an image " + image.unpullable()
                    + ": no task of it could start");
        }
        return uri + "@" + image.digest();
    }

    /**
     * {@code <release>-<service>-<h>}, the first part cut so that the name and its rollback's are valid execution names
     * (letters, digits, - and _, which CloudWatch Logs takes). {@code h}, eight hex digits of a SHA-256 of the release and
     * the service's {@code cluster/service}, tells apart what the readable part does not: release "a" of service "b-c" and
     * release "a-b" of service "c", names cut short, one service name in two clusters. Step Functions refuses a name used
     * in the last 90 days, so two releases' deployments must never share one.
     */
    public static String executionName(String release, String cluster, String service) {
        String readable = (release + "-" + service).replaceAll("[^A-Za-z0-9_-]", "-");
        int max = EXECUTION_NAME_MAX - ROLLBACK_SUFFIX.length() - 1 - HASH_DIGITS;
        String hash = HexFormat.of().formatHex(sha256(release + "\n" + cluster + "/" + service), 0, HASH_DIGITS / 2);
        return (readable.length() <= max ? readable : readable.substring(0, max)) + "-" + hash;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
