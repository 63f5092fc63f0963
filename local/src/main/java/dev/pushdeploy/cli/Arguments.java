package dev.pushdeploy.cli;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.adapter.json.InputParser;
import dev.pushdeploy.request.Fields;
import dev.pushdeploy.request.ImageRef;
import dev.pushdeploy.request.Pipeline;
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

    /** The longest reason a manual input (or a stop's cause) may carry: it tags a deployed revision too. */
    static final int REASON_MAX = 256;

    /**
     * Fails naming {@code --reason} when it is longer than {@value #REASON_MAX} characters or fails the workflow's own check
     * of a reason (printable, within its bytes): it goes into an input, a revision's tag or a stop's cause, and from there
     * into the history every operator reads.
     */
    static void reason(CommandSpec spec, String reason) {
        if (reason == null) {
            return;
        }
        if (reason.length() > REASON_MAX) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--reason is " + reason.length() + " characters; at most "
                    + REASON_MAX);
        }
        try {
            Fields.check("--reason", reason, InputParser.REASON_MAX);
        } catch (InvalidRequestException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    static void rollbackTarget(CommandSpec spec, String to) {
        if (!TASK_DEFINITION.matcher(to).matches()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--to '" + to
                    + "' must be previous, a task definition ARN or family:revision");
        }
    }

    /** Where the pipeline runs: the partition, account and region of its state machine. */
    static Pipeline own(dev.pushdeploy.ops.Pipeline pipeline) {
        return Pipeline.ofExecution(pipeline.executionArn("operator"));
    }

    /**
     * Refuses a {@code --to} ARN of another account or region than the pipeline's ({@code own}): Prepare would refuse it
     * only after the execution started.
     */
    static void ownRollbackTarget(CommandSpec spec, String to, Pipeline own) {
        if (!to.startsWith("arn:")) {
            return;
        }
        String[] parts = to.split(":", 6);
        try {
            own.requireOwn("to", to, parts[4], parts[3]);
        } catch (InvalidRequestException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--to " + e.getMessage().substring("to: ".length()));
        }
    }

    /**
     * Refuses an IMAGE of another repository than the service's, or of another registry than the pipeline's own ECR
     * registry ({@code own}'s account and region), which Prepare would refuse only after the execution started.
     *
     * @param reference the image as {@link #image} completed it
     */
    static void ownImage(CommandSpec spec, String reference, String repository, String service, Pipeline own) {
        ImageRef ref;
        try {
            ref = ImageRef.parse(reference, "IMAGE");
        } catch (InvalidRequestException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (!ref.repository().equals(repository)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "IMAGE '" + reference + "' is of repository "
                    + ref.repository() + "; " + service + " deploys images of repository " + repository);
        }
        String registry = own.account() + ".dkr.ecr." + own.region() + ".amazonaws.com" + (own.partition().equals("aws-cn") ? ".cn" : "");
        if (ref.registry() != null && !ref.registry().equals(registry)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "IMAGE '" + reference + "' is in registry " + ref.registry()
                    + "; the pipeline deploys " + service + " from its own, " + registry + " (account " + own.account()
                    + ", region " + own.region() + ")");
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
