package dev.pushdeploy.request;

import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.model.ReleasePlan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates a release manifest and pins it: every image names a repository mapped to a target,
 * exists in ECR (a tag is resolved to its digest now, so the whole release is what was asked at
 * this moment), and no two images go to the same service. Reads only; a manifest that cannot be
 * released is rejected before anything is written or started.
 */
public final class ReleasePlanner {
    /** Services in one release (one child execution each, all started at once). */
    public static final int MAX_SERVICES = 10;
    /** Step Functions execution names: at most 80 characters of letters, digits, - and _. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,40}");
    static final int REASON_MAX = 256;
    static final int EXECUTION_NAME_MAX = 80;

    private final ConfigSource config;
    private final ImageRegistry registry;

    public ReleasePlanner(ConfigSource config, ImageRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    public ReleasePlan plan(String release, String reason, List<String> images) {
        if (release == null || !NAME.matcher(release).matches()) {
            throw new InvalidRequestException("release", "the release name (the execution's name) must be 1-40 letters, digits, - or _");
        }
        if (reason != null && reason.length() > REASON_MAX) {
            throw new InvalidRequestException("reason", "at most " + REASON_MAX + " characters");
        }
        if (images == null || images.isEmpty() || images.size() > MAX_SERVICES) {
            throw new InvalidRequestException("images", "a release names 1 to " + MAX_SERVICES + " images");
        }
        PipelineConfig targets = config.load();
        Set<String> services = new HashSet<>();
        Set<String> executions = new HashSet<>();
        List<ReleasePlan.Entry> entries = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            String field = "images[" + i + "]";
            String text = images.get(i);
            if (text == null || text.isBlank() || text.length() > 512) {
                throw new InvalidRequestException(field, "an image reference of at most 512 characters");
            }
            ImageRef ref = ImageRef.parse(text, field);
            Target target = targets.forRepository(ref.repository()).orElseThrow(() -> new InvalidRequestException(
                    field, "repository " + ref.repository() + " is not mapped to a target"));
            if (!services.add(target.serviceKey())) {
                throw new InvalidRequestException(field, "a second image for " + target.serviceKey() + "; a release deploys one image per service");
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
            String execution = executionName(release, target.service());
            if (!executions.add(execution)) {
                throw new InvalidRequestException(field, "the execution name " + execution + " would repeat; use a shorter release name");
            }
            entries.add(new ReleasePlan.Entry(target.serviceKey(), uri + "@" + image.digest(), execution));
        }
        String why = reason == null || reason.isBlank() ? "release " + release : reason;
        return new ReleasePlan(release, why, entries);
    }

    /** {@code <release>-<service>}, cut to a valid execution name. */
    static String executionName(String release, String service) {
        String name = (release + "-" + service).replaceAll("[^A-Za-z0-9_-]", "-");
        return name.length() <= EXECUTION_NAME_MAX ? name : name.substring(0, EXECUTION_NAME_MAX);
    }
}
