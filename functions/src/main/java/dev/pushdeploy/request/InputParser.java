package dev.pushdeploy.request;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.error.InvalidRequestException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates the shape of a raw execution input (an ECR "ECR Image Action" event as EventBridge
 * delivers it, or a manual input) and turns it into an {@link Intent}. Pure: no AWS call.
 * Every problem is an {@link InvalidRequestException} naming the field. Limits, in bytes of UTF-8:
 * {@code reason} {@value #REASON_MAX}, {@code service} 511, {@code image} and {@code to} 512; an
 * event's {@code account} and {@code region} must be the pipeline's, and so must a {@code to} ARN's.
 */
final class InputParser {
    static final int REASON_MAX = 1024;
    private static final int SERVICE_MAX = 511;
    private static final int IMAGE_MAX = 512;
    private static final int TO_MAX = 512;
    private static final int REPOSITORY_MAX = 256;
    private static final Pattern TASK_DEFINITION_ARN =
            Pattern.compile("arn:aws[a-z-]*:ecs:([a-z0-9-]+):(\\d{12}):task-definition/[A-Za-z0-9_-]{1,255}:[1-9]\\d{0,8}");
    private static final Pattern FAMILY_REVISION = Pattern.compile("[A-Za-z0-9_-]{1,255}:[1-9]\\d{0,8}");

    private InputParser() {
    }

    static Intent parse(JsonNode input, Pipeline pipeline) {
        if (input == null || input.isNull() || input.isMissingNode()) {
            throw new InvalidRequestException("input", "is required");
        }
        if (!input.isObject()) {
            throw new InvalidRequestException("input", "must be a JSON object, not " + input.getNodeType().name().toLowerCase());
        }
        if (input.has("action")) {
            return manual(input, pipeline);
        }
        if (input.has("source") || input.has("detail-type") || input.has("detail")) {
            return ecrEvent(input, pipeline);
        }
        throw new InvalidRequestException("input", "is neither an ECR Image Action event nor a manual input with an action");
    }

    private static Intent manual(JsonNode input, Pipeline pipeline) {
        String action = Fields.required(input, "action", "action", 16);
        return switch (action) {
            case "deploy" -> {
                Fields.only(input, Set.of("action", "service", "image", "reason"), "a deploy input");
                ServiceRef service = service(input, false);
                ImageRef image = ImageRef.parse(Fields.required(input, "image", "image", IMAGE_MAX), "image");
                yield new Intent.Deploy(service, image, reason(input));
            }
            case "rollback" -> {
                Fields.only(input, Set.of("action", "service", "to", "reason"), "a rollback input");
                ServiceRef service = service(input, true);
                String to = Fields.required(input, "to", "to", TO_MAX);
                Matcher arn = TASK_DEFINITION_ARN.matcher(to);
                if (!to.equals("previous") && !arn.matches() && !FAMILY_REVISION.matcher(to).matches()) {
                    throw new InvalidRequestException("to", "'" + to + "' must be \"previous\" or a task definition ARN (or family:revision)");
                }
                if (arn.matches()) {
                    pipeline.requireOwn("to", to, arn.group(2), arn.group(1));
                }
                yield new Intent.Rollback(service, to.equals("previous") ? null : to, reason(input));
            }
            case "rotate" -> {
                Fields.only(input, Set.of("action", "service", "reason"), "a rotate input");
                yield new Intent.Rotate(service(input, true), reason(input));
            }
            default -> throw new InvalidRequestException("action", "must be deploy, rollback or rotate, not '" + action + "'");
        };
    }

    private static ServiceRef service(JsonNode input, boolean required) {
        String text = required ? Fields.required(input, "service", "service", SERVICE_MAX)
                : Fields.optional(input, "service", "service", SERVICE_MAX);
        return text == null ? null : ServiceRef.parse(text);
    }

    private static String reason(JsonNode input) {
        return Fields.optional(input, "reason", "reason", REASON_MAX);
    }

    private static Intent ecrEvent(JsonNode event, Pipeline pipeline) {
        String source = Fields.required(event, "source", "source", 64);
        if (!source.equals("aws.ecr")) {
            throw new InvalidRequestException("source", "'" + source + "' is not aws.ecr");
        }
        String detailType = Fields.required(event, "detail-type", "detail-type", 64);
        if (!detailType.equals("ECR Image Action")) {
            throw new InvalidRequestException("detail-type", "'" + detailType + "' is not ECR Image Action");
        }
        JsonNode detail = event.get("detail");
        if (detail == null || !detail.isObject()) {
            throw new InvalidRequestException("detail", "must be an object");
        }
        String account = Fields.required(event, "account", "account", 12);
        String region = Fields.required(event, "region", "region", 32);
        pipeline.requireOwn(account.equals(pipeline.account()) ? "region" : "account", "the event", account, region);
        String actionType = Fields.required(detail, "action-type", "detail.action-type", 32);
        if (!actionType.equals("PUSH")) {
            return new Intent.Skip("ECR action-type " + actionType + " is not a PUSH");
        }
        String result = Fields.required(detail, "result", "detail.result", 32);
        if (!result.equals("SUCCESS")) {
            return new Intent.Skip("ECR push result is " + result + ", not SUCCESS");
        }
        String repository = Fields.required(detail, "repository-name", "detail.repository-name", REPOSITORY_MAX);
        String digest = Fields.required(detail, "image-digest", "detail.image-digest", 80);
        ImageRef.requireDigest(digest, "detail.image-digest");
        String tag = Fields.optional(detail, "image-tag", "detail.image-tag", 128);
        if (tag != null) {
            ImageRef.requireTag(tag, "detail.image-tag");
        }
        return new Intent.Push(repository, digest, tag);
    }
}
