package dev.pushdeploy.cli;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Checks of the operator commands' arguments, made before any AWS call; errors name the argument. */
final class Arguments {
    private static final Pattern IMAGE = Pattern.compile("[^\\s@]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})");
    private static final Pattern EXECUTION_NAME = Pattern.compile("[A-Za-z0-9_-]{1,80}");
    private static final Pattern TASK_DEFINITION = Pattern.compile(
            "previous|arn:aws[a-z-]*:ecs:[a-z0-9-]+:\\d{12}:task-definition/[A-Za-z0-9_-]{1,255}:[1-9]\\d{0,8}|[A-Za-z0-9_-]{1,255}:[1-9]\\d{0,8}");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private Arguments() {
    }

    /**
     * The image reference a manual deploy input takes: a bare tag ({@code v1.2.0}) or digest
     * ({@code sha256:…}) is of the service's repository; anything else is taken as written.
     */
    static String image(CommandSpec spec, String image, String repository) {
        String full = image.startsWith("sha256:") ? repository + "@" + image
                : image.contains(":") || image.contains("@") || image.contains("/") ? image : repository + ":" + image;
        if (!IMAGE.matcher(full).matches()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "IMAGE '" + image
                    + "' is neither a tag (v1.2.0, web:v1.2.0) nor a digest (sha256:<64 hex>, web@sha256:<64 hex>)");
        }
        return full;
    }

    static void executionName(CommandSpec spec, String option, String name) {
        if (name != null && !EXECUTION_NAME.matcher(name).matches()) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " '" + name
                    + "' must be 1 to 80 letters, digits, '-' or '_' (a Step Functions execution name)");
        }
    }

    static void rollbackTarget(CommandSpec spec, String to) {
        if (!TASK_DEFINITION.matcher(to).matches()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--to '" + to
                    + "' must be previous, a task definition ARN or family:revision");
        }
    }

    static void execution(CommandSpec spec, String execution) {
        if (execution != null && !execution.startsWith("arn:") && !EXECUTION_NAME.matcher(execution).matches()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "EXECUTION '" + execution
                    + "' is neither an execution ARN nor an execution name");
        }
    }

    /** A fresh execution name: {@code <action>-<label>-<UTC time>-<4 hex>}, at most 80 characters. */
    static String executionName(String action, String label, java.time.Instant now) {
        String clean = label == null ? "" : label.replaceAll("[^A-Za-z0-9_-]+", "-").replaceAll("^-+|-+$", "");
        String suffix = "-" + STAMP.format(now) + "-" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        String head = action + (clean.isEmpty() ? "" : "-" + clean);
        return head.substring(0, Math.min(head.length(), 80 - suffix.length())) + suffix;
    }
}
