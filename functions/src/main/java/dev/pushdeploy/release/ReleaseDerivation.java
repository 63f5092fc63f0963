package dev.pushdeploy.release;

import dev.pushdeploy.error.ConfigurationException;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.SecretSlot;
import dev.pushdeploy.model.TaskDefinition;
import dev.pushdeploy.model.TaskDefinition.Container;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Pure derivation of a new revision from the live one, as a {@link RevisionChange}: the target
 * container gets the request's image (by digest; a ROTATE keeps the live image), its secrets
 * point at the new slots, postgres usernames and release metadata go into its environment, and
 * the release is tagged. Applying the change (copying only the fields ECS accepts on
 * registration) is the {@link TaskDefinitions} adapter's part.
 */
public final class ReleaseDerivation {
    public static final String RELEASE_ENV = "PUSHDEPLOY_RELEASE";
    public static final String IMAGE_ENV = "PUSHDEPLOY_IMAGE";
    public static final String TAG_REQUEST_ID = "pushdeploy:request-id";
    public static final String TAG_IMAGE_DIGEST = "pushdeploy:image-digest";
    public static final String TAG_REASON = "pushdeploy:reason";
    /** The revision a release was derived from: a run prepared again from another reuses no registration of the first. */
    public static final String TAG_DERIVED_FROM = "pushdeploy:derived-from";
    /** ECS: at most 50 tags on a task definition, AWS's own ({@code aws:}) aside. */
    static final int MAX_TAGS = 50;
    /** ECS tag values: at most 256 characters. */
    static final int TAG_VALUE_MAX = 256;
    static final Pattern DIGEST_IMAGE = Pattern.compile("[^@\\s]+@sha256:[0-9a-f]{64}");

    private ReleaseDerivation() {
    }

    public static RevisionChange derive(TaskDefinition live, DeployRequest request, List<SecretSlot> slots, String container) {
        Container target = live.container(container).orElseThrow(() -> new ConfigurationException(
                "container " + container + " is not in task definition " + live.arn()));
        String image = image(target, request);
        Map<String, String> environment = new LinkedHashMap<>(target.environment());
        Map<String, String> secrets = new LinkedHashMap<>(target.secrets());
        Map<String, String> ours = new LinkedHashMap<>();
        for (SecretSlot slot : slots) {
            secrets.put(slot.name(), valueFrom(secrets.get(slot.name()), slot.parameter()));
            environment.remove(slot.name());
            if (slot.usernameEnv() != null && slot.username() != null) {
                ours.put(slot.usernameEnv(), slot.username());
            }
        }
        ours.put(RELEASE_ENV, request.requestId());
        ours.put(IMAGE_ENV, image);
        environment.putAll(ours);
        ours.keySet().forEach(secrets::remove);
        return new RevisionChange(live.arn(), live.family(), container, image, environment, secrets,
                tags(live, request.requestId(), image, request.reason()));
    }

    /** The image to run: the request's digest reference; for ROTATE the live image, unchanged. */
    static String image(Container target, DeployRequest request) {
        if (request.action() == Action.ROTATE) {
            return target.image();
        }
        String image = request.image();
        if (image == null || !DIGEST_IMAGE.matcher(image).matches()) {
            throw new InvalidRequestException("image", "must be <repository>@sha256:<64 hex digits>, never a tag");
        }
        return image;
    }

    /** The new slot's reference in the form the live one used: an ARN stays an ARN (same region/account). */
    static String valueFrom(String liveValueFrom, String parameter) {
        if (liveValueFrom != null && liveValueFrom.startsWith("arn:")) {
            int at = liveValueFrom.indexOf(":parameter/");
            if (at >= 0) {
                return liveValueFrom.substring(0, at + ":parameter".length()) + parameter;
            }
        }
        return parameter;
    }

    /**
     * The release's tags: the live revision's own (neither AWS's nor ours), as many as ECS's {@value #MAX_TAGS} leave room
     * for beside ours, then ours.
     */
    static Map<String, String> tags(TaskDefinition live, String requestId, String image, String reason) {
        Map<String, String> ours = new LinkedHashMap<>();
        ours.put(TAG_REQUEST_ID, tagValue(requestId));
        ours.put(TAG_DERIVED_FROM, live.arn());
        digest(image).ifPresent(digest -> ours.put(TAG_IMAGE_DIGEST, digest));
        String why = tagValue(reason);
        if (!why.isEmpty()) {
            ours.put(TAG_REASON, why);
        }
        Map<String, String> tags = new LinkedHashMap<>();
        ownTags(live.tags()).entrySet().stream().limit(MAX_TAGS - ours.size()).forEach(tag -> tags.put(tag.getKey(), tag.getValue()));
        tags.putAll(ours);
        return tags;
    }

    /** The tags of a revision that are neither AWS's ({@code aws:}) nor the pipeline's ({@code pushdeploy:}). */
    static Map<String, String> ownTags(Map<String, String> tags) {
        Map<String, String> own = new LinkedHashMap<>();
        tags.forEach((key, value) -> {
            if (!key.regionMatches(true, 0, "aws:", 0, 4) && !key.startsWith("pushdeploy:")) {
                own.put(key, value);
            }
        });
        return own;
    }

    /** The {@code sha256:…} part of a digest reference. */
    static Optional<String> digest(String image) {
        int at = image == null ? -1 : image.indexOf("@sha256:");
        return at < 0 ? Optional.empty() : Optional.of(image.substring(at + 1));
    }

    /**
     * A tag value ECS accepts: characters outside letters, digits, spaces and {@code + - = . _ : / @}
     * become spaces, runs of space collapse, at most 256 characters.
     */
    public static String tagValue(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        boolean space = false;
        for (int cp : text.codePoints().toArray()) {
            boolean allowed = Character.isLetterOrDigit(cp) || "+-=._:/@".indexOf(cp) >= 0;
            if (!allowed) {
                space = out.length() > 0;
                continue;
            }
            if (space) {
                out.append(' ');
                space = false;
            }
            out.appendCodePoint(cp);
        }
        String value = out.toString();
        return value.codePointCount(0, value.length()) <= TAG_VALUE_MAX
                ? value
                : value.substring(0, value.offsetByCodePoints(0, TAG_VALUE_MAX)).strip();
    }
}
