package dev.pushdeploy.cli;

import dev.pushdeploy.ops.Operator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pushdeploy release MANIFEST [--name NAME] [--no-wait]}. */
@Command(name = "release", description = "Deploy the images of a release manifest together (all live, or every service the release moved rolled back) and follow it. Needs a stack with a second service.")
final class ReleaseCommand implements Callable<Integer> {
    /** The release workflow accepts manifests up to this size. */
    static final int MANIFEST_MAX = 8192;
    /** The release workflow's limit on its name. */
    static final int NAME_MAX = 40;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MANIFEST", description = "A JSON file: {\"services\": [{\"service\": \"cluster/service\", \"image\": \"repo:tag\"}, ...], \"reason\": \"...\"}.")
    Path manifest;

    @Option(names = "--no-wait", description = "Print the execution and return instead of following it.")
    boolean noWait;

    @Option(names = "--name", paramLabel = "NAME", description = "The release's name, its execution's (default: release-<time>); service executions are named <NAME>-<service>-<8 hex digits>. A name is refused while a release of it is on record.")
    String name;

    @Override
    public Integer call() {
        Arguments.executionName(spec, "--name", name);
        if (name != null && name.length() > NAME_MAX) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--name '" + name + "' is " + name.length()
                    + " characters; a release's name is at most " + NAME_MAX + " (its services' executions add to it)");
        }
        String text = EventFile.read(spec, "MANIFEST", manifest);
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MANIFEST_MAX) {
            throw new CommandLine.ParameterException(spec.commandLine(), "MANIFEST " + manifest + " is " + bytes
                    + " bytes; a release manifest is at most " + MANIFEST_MAX);
        }
        Operator operator = main.operator();
        String execution = operator.startRelease(text, name != null ? name : Arguments.executionName("release", "", Instant.now()));
        return Follow.release(main.output(), operator, execution, noWait, main.local ? " --local" : "");
    }
}
