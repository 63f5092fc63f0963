package dev.pushdeploy.adapter.json;

import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.request.Fields;
import dev.pushdeploy.request.ImageRef;
import dev.pushdeploy.request.Intent;
import dev.pushdeploy.request.Pipeline;
import dev.pushdeploy.request.ServiceRef;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates the shape of a raw execution input (an ECR "ECR Image Action" event as EventBridge
 * delivers it, or a manual input) and turns it into an {@link Intent}. Pure: no AWS call.
 * Every problem becomes an {@link Intent.Invalid} whose reason names the field. Limits, in bytes of
 * UTF-8: the whole input {@value #INPUT_MAX} (an ECR event is about 1 KiB, the largest legal manual input
 * under 3 KiB), {@code reason} {@value #REASON_MAX}, {@code service} 511, {@code image} and {@code to} 512;
 * no object may name a key twice (a lenient reader would keep the last one silently); an event's
 * {@code account} and {@code region} must be the pipeline's, and so must a {@code to} ARN's.
 */
public final class InputParser {
    /** Largest input accepted, in bytes of UTF-8. */
    public static final int INPUT_MAX = 8192;
    public static final int REASON_MAX = 1024;
    private static final int SERVICE_MAX = 511;
    private static final int IMAGE_MAX = 512;
    private static final int TO_MAX = 512;
    private static final int REPOSITORY_MAX = 256;
    private static final Pattern TASK_DEFINITION_ARN =
            Pattern.compile("arn:aws[a-z-]*:ecs:([a-z0-9-]+):(\\d{12}):task-definition/[A-Za-z0-9_-]{1,255}:[1-9]\\d{0,8}");
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate key \\(key '([^']{0,64})'\\)");
    private static final Pattern FAMILY_REVISION = Pattern.compile("[A-Za-z0-9_-]{1,255}:[1-9]\\d{0,8}");

    private InputParser() {
    }

    /** The intent of a raw input text, read strictly; {@link Intent.Invalid} when the input is not valid. */
    public static Intent intent(String text, Pipeline pipeline) {
        try {
            return parse(strictTree(text), pipeline);
        } catch (InvalidRequestException e) {
            return new Intent.Invalid(e.getMessage());
        }
    }

    private static Object strictTree(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidRequestException("input", "is required");
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > INPUT_MAX) {
            throw new InvalidRequestException("input", "is " + bytes + " bytes long; at most " + INPUT_MAX + " are allowed");
        }
        try {
            return Json.parseStrict(text);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage().substring("not valid JSON: ".length());
            Matcher duplicate = DUPLICATE.matcher(message);
            if (duplicate.find()) {
                throw new InvalidRequestException("input", "has the key '" + Fields.printableOrEscaped(duplicate.group(1))
                        + "' more than once in one object; give each key once");
            }
            throw new InvalidRequestException("input", "is not valid JSON: " + problem(message));
        }
    }

    private static String problem(String message) {
        return Fields.printableOrEscaped(message.length() > 200 ? message.substring(0, 200) + "…" : message);
    }

    private static Intent parse(Object tree, Pipeline pipeline) {
        if (tree == null) {
            throw new InvalidRequestException("input", "is required");
        }
        if (!(tree instanceof Map<?, ?> input)) {
            throw new InvalidRequestException("input", "must be a JSON object, not " + Json.kind(tree));
        }
        if (input.containsKey("action")) {
            return manual(input, pipeline);
        }
        if (input.containsKey("source") || input.containsKey("detail-type") || input.containsKey("detail")) {
            return ecrEvent(input, pipeline);
        }
        if (input.containsKey("services")) {
            throw new InvalidRequestException("input", "is a release manifest (services): start the release state machine with it"
                    + " (output ReleaseStateMachineArn, or pushdeploy release), not the deployment workflow");
        }
        throw new InvalidRequestException("input", "is neither an ECR Image Action event nor a manual input with an action");
    }

    private static Intent manual(Map<?, ?> input, Pipeline pipeline) {
        String action = required(input, "action", "action", 16);
        return switch (action) {
            case "deploy" -> {
                only(input, Set.of("action", "service", "image", "reason"), "a deploy input");
                ServiceRef service = service(input, false);
                ImageRef image = ImageRef.parse(required(input, "image", "image", IMAGE_MAX), "image");
                yield new Intent.Deploy(service, image, reason(input));
            }
            case "rollback" -> {
                only(input, Set.of("action", "service", "to", "reason", "undoes"), "a rollback input");
                ServiceRef service = service(input, true);
                String to = required(input, "to", "to", TO_MAX);
                Matcher arn = TASK_DEFINITION_ARN.matcher(to);
                if (!to.equals("previous") && !arn.matches() && !FAMILY_REVISION.matcher(to).matches()) {
                    throw new InvalidRequestException("to", "'" + to + "' must be \"previous\" or a task definition ARN (or family:revision)");
                }
                if (arn.matches()) {
                    pipeline.requireOwn("to", to, arn.group(2), arn.group(1));
                }
                String undoes = optional(input, "undoes", "undoes", 80);
                yield new Intent.Rollback(service, to.equals("previous") ? null : to, reason(input),
                        undoes == null ? null : Fields.executionName("undoes", undoes));
            }
            case "rotate" -> {
                only(input, Set.of("action", "service", "reason"), "a rotate input");
                yield new Intent.Rotate(service(input, true), reason(input));
            }
            default -> throw new InvalidRequestException("action", "must be deploy, rollback or rotate, not '" + action + "'");
        };
    }

    private static ServiceRef service(Map<?, ?> input, boolean required) {
        String text = required ? required(input, "service", "service", SERVICE_MAX)
                : optional(input, "service", "service", SERVICE_MAX);
        return text == null ? null : ServiceRef.parse(text);
    }

    private static String reason(Map<?, ?> input) {
        return optional(input, "reason", "reason", REASON_MAX);
    }

    private static Intent ecrEvent(Map<?, ?> event, Pipeline pipeline) {
        String source = required(event, "source", "source", 64);
        if (!source.equals("aws.ecr")) {
            throw new InvalidRequestException("source", "'" + source + "' is not aws.ecr");
        }
        String detailType = required(event, "detail-type", "detail-type", 64);
        if (!detailType.equals("ECR Image Action")) {
            throw new InvalidRequestException("detail-type", "'" + detailType + "' is not ECR Image Action");
        }
        if (!(event.get("detail") instanceof Map<?, ?> detail)) {
            throw new InvalidRequestException("detail", "must be an object");
        }
        String account = required(event, "account", "account", 12);
        String region = required(event, "region", "region", 32);
        pipeline.requireOwn(account.equals(pipeline.account()) ? "region" : "account", "the event", account, region);
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
        return new Intent.Push(repository, digest, tag, time(event));
    }

    /** The event's {@code time}, when it has one. */
    private static Instant time(Map<?, ?> event) {
        String time = optional(event, "time", "time", 64);
        try {
            return time == null ? null : OffsetDateTime.parse(time).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException("time", "'" + time + "' is not an ISO 8601 time");
        }
    }

    /** A required string member of {@code object}; {@code path} names it in errors. */
    private static String required(Map<?, ?> object, String member, String path, int max) {
        String value = optional(object, member, path, max);
        if (value == null) {
            throw new InvalidRequestException(path, "is required");
        }
        return value;
    }

    /** An optional string member: null when absent or JSON null. */
    private static String optional(Map<?, ?> object, String member, String path, int max) {
        Object node = object.get(member);
        if (node == null) {
            return null;
        }
        if (!(node instanceof String value)) {
            throw new InvalidRequestException(path, "must be a string, not " + Json.kind(node));
        }
        Fields.check(path, value, max);
        return value.isEmpty() ? null : value;
    }

    /** Every member of {@code object} must be one of {@code allowed} (typos must not pass silently). */
    private static void only(Map<?, ?> object, Set<String> allowed, String what) {
        for (Object key : object.keySet()) {
            String name = (String) key;
            if (!allowed.contains(name)) {
                String shown = name.length() > 64 ? name.substring(0, 64) + "…" : name;
                throw new InvalidRequestException(Fields.printableOrEscaped(shown), "is not a field of " + what + " (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }
}
