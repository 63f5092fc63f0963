package dev.pushdeploy.adapter.json;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.request.Fields;
import dev.pushdeploy.request.ImageRef;
import dev.pushdeploy.request.Intent;
import dev.pushdeploy.request.ServiceRef;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates the shape of a raw execution input (an ECR "ECR Image Action" event as EventBridge
 * delivers it, or a manual input) and turns it into an {@link Intent}. Pure: no AWS call.
 * Every problem becomes an {@link Intent.Invalid} whose reason names the field.
 */
public final class InputParser {
    private static final int REASON_MAX = 256;
    private static final int SERVICE_MAX = 511;
    private static final int IMAGE_MAX = 512;
    private static final int TO_MAX = 512;
    private static final int REPOSITORY_MAX = 256;
    private static final Pattern TASK_DEFINITION_ARN =
            Pattern.compile("arn:aws[a-z-]*:ecs:[a-z0-9-]+:\\d{12}:task-definition/[A-Za-z0-9_-]{1,255}:[1-9]\\d{0,8}");
    private static final Pattern FAMILY_REVISION = Pattern.compile("[A-Za-z0-9_-]{1,255}:[1-9]\\d{0,8}");

    private InputParser() {
    }

    /** The intent of a raw input; {@link Intent.Invalid} when the input is not valid. */
    public static Intent intent(JsonNode input) {
        try {
            return parse(input);
        } catch (InvalidRequestException e) {
            return new Intent.Invalid(e.getMessage());
        }
    }

    private static Intent parse(JsonNode input) {
        if (input == null || input.isNull() || input.isMissingNode()) {
            throw new InvalidRequestException("input", "is required");
        }
        if (!input.isObject()) {
            throw new InvalidRequestException("input", "must be a JSON object, not " + input.getNodeType().name().toLowerCase());
        }
        if (input.has("action")) {
            return manual(input);
        }
        if (input.has("source") || input.has("detail-type") || input.has("detail")) {
            return ecrEvent(input);
        }
        throw new InvalidRequestException("input", "is neither an ECR Image Action event nor a manual input with an action");
    }

    private static Intent manual(JsonNode input) {
        String action = required(input, "action", "action", 16);
        return switch (action) {
            case "deploy" -> {
                only(input, Set.of("action", "service", "image", "reason"), "a deploy input");
                ServiceRef service = service(input, false);
                ImageRef image = ImageRef.parse(required(input, "image", "image", IMAGE_MAX), "image");
                yield new Intent.Deploy(service, image, reason(input));
            }
            case "rollback" -> {
                only(input, Set.of("action", "service", "to", "reason"), "a rollback input");
                ServiceRef service = service(input, true);
                String to = required(input, "to", "to", TO_MAX);
                if (!to.equals("previous") && !TASK_DEFINITION_ARN.matcher(to).matches() && !FAMILY_REVISION.matcher(to).matches()) {
                    throw new InvalidRequestException("to", "'" + to + "' must be \"previous\" or a task definition ARN (or family:revision)");
                }
                yield new Intent.Rollback(service, to.equals("previous") ? null : to, reason(input));
            }
            case "rotate" -> {
                only(input, Set.of("action", "service", "reason"), "a rotate input");
                yield new Intent.Rotate(service(input, true), reason(input));
            }
            default -> throw new InvalidRequestException("action", "must be deploy, rollback or rotate, not '" + action + "'");
        };
    }

    private static ServiceRef service(JsonNode input, boolean required) {
        String text = required ? required(input, "service", "service", SERVICE_MAX)
                : optional(input, "service", "service", SERVICE_MAX);
        return text == null ? null : ServiceRef.parse(text);
    }

    private static String reason(JsonNode input) {
        return optional(input, "reason", "reason", REASON_MAX);
    }

    private static Intent ecrEvent(JsonNode event) {
        String source = required(event, "source", "source", 64);
        if (!source.equals("aws.ecr")) {
            throw new InvalidRequestException("source", "'" + source + "' is not aws.ecr");
        }
        String detailType = required(event, "detail-type", "detail-type", 64);
        if (!detailType.equals("ECR Image Action")) {
            throw new InvalidRequestException("detail-type", "'" + detailType + "' is not ECR Image Action");
        }
        JsonNode detail = event.get("detail");
        if (detail == null || !detail.isObject()) {
            throw new InvalidRequestException("detail", "must be an object");
        }
        String actionType = required(detail, "action-type", "detail.action-type", 32);
        if (!actionType.equals("PUSH")) {
            return new Intent.Skip("ECR action-type " + actionType + " is not a PUSH");
        }
        String result = required(detail, "result", "detail.result", 32);
        if (!result.equals("SUCCESS")) {
            return new Intent.Skip("ECR push result is " + result + ", not SUCCESS");
        }
        String repository = required(detail, "repository-name", "detail.repository-name", REPOSITORY_MAX);
        String digest = required(detail, "image-digest", "detail.image-digest", 80);
        ImageRef.requireDigest(digest, "detail.image-digest");
        String tag = optional(detail, "image-tag", "detail.image-tag", 128);
        if (tag != null) {
            ImageRef.requireTag(tag, "detail.image-tag");
        }
        return new Intent.Push(repository, digest, tag);
    }

    /** A required string member of {@code object}; {@code path} names it in errors. */
    private static String required(JsonNode object, String member, String path, int max) {
        String value = optional(object, member, path, max);
        if (value == null) {
            throw new InvalidRequestException(path, "is required");
        }
        return value;
    }

    /** An optional string member: null when absent or JSON null. */
    private static String optional(JsonNode object, String member, String path, int max) {
        JsonNode node = object.get(member);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidRequestException(path, "must be a string, not " + node.getNodeType().name().toLowerCase());
        }
        String value = node.asText();
        Fields.check(path, value, max);
        return value.isEmpty() ? null : value;
    }

    /** Every member of {@code object} must be one of {@code allowed} (typos must not pass silently). */
    private static void only(JsonNode object, Set<String> allowed, String what) {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                String shown = name.length() > 64 ? name.substring(0, 64) + "…" : name;
                throw new InvalidRequestException(Fields.printableOrEscaped(shown), "is not a field of " + what + " (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }
}
