package dev.pushdeploy.release;

import dev.pushdeploy.error.ConfigurationException;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.SecretSlot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.Secret;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;

/**
 * Pure derivation of a new revision from the live one: the target container gets the
 * request's image (by digest; a ROTATE keeps the live image), its secrets point at the new
 * slots, postgres usernames and release metadata go into its environment, the release is
 * tagged, and only writable fields are copied (read-only ones such as revision, status,
 * compatibilities, requiresAttributes, registeredAt/By never reach the request).
 */
public final class ReleaseDerivation {
    public static final String RELEASE_ENV = "PUSHDEPLOY_RELEASE";
    public static final String IMAGE_ENV = "PUSHDEPLOY_IMAGE";
    public static final String TAG_REQUEST_ID = "pushdeploy:request-id";
    public static final String TAG_IMAGE_DIGEST = "pushdeploy:image-digest";
    public static final String TAG_REASON = "pushdeploy:reason";
    /** ECS tag values: at most 256 characters. */
    static final int TAG_VALUE_MAX = 256;
    static final Pattern DIGEST_IMAGE = Pattern.compile("[^@\\s]+@sha256:[0-9a-f]{64}");

    private ReleaseDerivation() {
    }

    /** The registration request and the image it deploys. */
    public record Derived(RegisterTaskDefinitionRequest request, String image) {
    }

    public static Derived derive(TaskDefinition live, List<Tag> liveTags, DeployRequest request,
                                 List<SecretSlot> slots, String container) {
        ContainerDefinition target = live.containerDefinitions().stream()
                .filter(c -> container.equals(c.name()))
                .findFirst()
                .orElseThrow(() -> new ConfigurationException(
                        "container " + container + " is not in task definition " + live.taskDefinitionArn()));
        String image = image(target, request);
        List<ContainerDefinition> containers = live.containerDefinitions().stream()
                .map(c -> container.equals(c.name()) ? retarget(c, image, request.requestId(), slots) : c)
                .toList();
        RegisterTaskDefinitionRequest registration = RegisterTaskDefinitionRequest.builder()
                .family(live.family())
                .taskRoleArn(live.taskRoleArn())
                .executionRoleArn(live.executionRoleArn())
                .networkMode(live.networkModeAsString())
                .containerDefinitions(containers)
                .volumes(live.volumes())
                .placementConstraints(live.placementConstraints())
                .requiresCompatibilitiesWithStrings(live.requiresCompatibilitiesAsStrings())
                .cpu(live.cpu())
                .memory(live.memory())
                .pidMode(live.pidModeAsString())
                .ipcMode(live.ipcModeAsString())
                .proxyConfiguration(live.proxyConfiguration())
                .inferenceAccelerators(live.inferenceAccelerators())
                .ephemeralStorage(live.ephemeralStorage())
                .runtimePlatform(live.runtimePlatform())
                .enableFaultInjection(live.enableFaultInjection())
                .tags(tags(liveTags, request.requestId(), image, request.reason()))
                .build();
        return new Derived(registration, image);
    }

    /** The image to run: the request's digest reference; for ROTATE the live image, unchanged. */
    static String image(ContainerDefinition target, DeployRequest request) {
        if (request.action() == Action.ROTATE) {
            return target.image();
        }
        String image = request.image();
        if (image == null || !DIGEST_IMAGE.matcher(image).matches()) {
            throw new InvalidRequestException("image", "must be <repository>@sha256:<64 hex digits>, never a tag");
        }
        return image;
    }

    private static ContainerDefinition retarget(ContainerDefinition c, String image, String requestId, List<SecretSlot> slots) {
        Map<String, String> environment = new LinkedHashMap<>();
        c.environment().forEach(kv -> environment.put(kv.name(), kv.value()));
        Map<String, String> secrets = new LinkedHashMap<>();
        c.secrets().forEach(s -> secrets.put(s.name(), s.valueFrom()));
        Map<String, String> ours = new LinkedHashMap<>();
        for (SecretSlot slot : slots) {
            secrets.put(slot.name(), valueFrom(secrets.get(slot.name()), slot.parameter()));
            environment.remove(slot.name());
            if (slot.usernameEnv() != null && slot.username() != null) {
                ours.put(slot.usernameEnv(), slot.username());
            }
        }
        ours.put(RELEASE_ENV, requestId);
        ours.put(IMAGE_ENV, image);
        environment.putAll(ours);
        ours.keySet().forEach(secrets::remove);
        return c.toBuilder()
                .image(image)
                .environment(environment.entrySet().stream()
                        .map(e -> KeyValuePair.builder().name(e.getKey()).value(e.getValue()).build()).toList())
                .secrets(secrets.entrySet().stream()
                        .map(e -> Secret.builder().name(e.getKey()).valueFrom(e.getValue()).build()).toList())
                .build();
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

    static List<Tag> tags(List<Tag> liveTags, String requestId, String image, String reason) {
        List<Tag> tags = new ArrayList<>();
        for (Tag tag : liveTags) {
            if (!tag.key().regionMatches(true, 0, "aws:", 0, 4) && !tag.key().startsWith("pushdeploy:")) {
                tags.add(tag);
            }
        }
        tags.add(tag(TAG_REQUEST_ID, tagValue(requestId)));
        digest(image).ifPresent(digest -> tags.add(tag(TAG_IMAGE_DIGEST, digest)));
        String why = tagValue(reason);
        if (!why.isEmpty()) {
            tags.add(tag(TAG_REASON, why));
        }
        return tags;
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

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }
}
