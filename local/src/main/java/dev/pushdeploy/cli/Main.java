package dev.pushdeploy.cli;

import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.daemon.LocalStackFile;
import dev.pushdeploy.local.proc.StateDir;
import dev.pushdeploy.ops.Connection;
import dev.pushdeploy.ops.Operator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * {@code ./pushdeploy}: operate the deployed pipeline (status, history, deploy, rollback, rotate,
 * diff, follow, cancel), run the same commands on a local stack that lives across commands
 * ({@code local up|push|down}, {@code --local}), and run the workflow locally in one go
 * ({@code run}, {@code invoke}, {@code demo}).
 */
@Command(name = "pushdeploy", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        usageHelpAutoWidth = true, sortOptions = false,
        description = "Operate the pushdeploy pipeline of a deployed stack (AWS default credentials and region), or the same on a local stack (--local), or run the workflow on this machine in one go (run, invoke, demo).",
        footerHeading = "%nExit codes:%n",
        footer = {"  0  SUCCEEDED, IGNORED, NOT_MATCHED (and every command that only reads)",
            "  2  REJECTED     3  ROLLED_BACK     4  ROLLBACK_FAILED     5  SUPERSEDED",
            "  1  anything else: an error, a bad option, a cancelled run"},
        subcommands = {StatusCommand.class, HistoryCommand.class, DeployCommand.class, RollbackCommand.class,
            RotateCommand.class, DiffCommand.class, ReleaseCommand.class, FollowCommand.class, CancelCommand.class, LocalCommand.class,
            RunCommand.class, InvokeCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    /** Exit code of errors and bad options. */
    static final int FAILED = 1;
    /**
     * The CLI's JVM options (the launcher's, and the local stack's background JVM's): a command is short, so the
     * client compiler alone and the serial collector cost it less CPU than the JIT's and G1's threads would
     * (a local {@code run}: about a fifth less).
     */
    public static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print JSON (one document) for scripts.")
    boolean json;

    @Option(names = "--stack", scope = ScopeType.INHERIT, paramLabel = "NAME", defaultValue = "${env:PUSHDEPLOY_STACK:-pushdeploy}",
            description = "The CloudFormation stack whose outputs name the pipeline (default: ${DEFAULT-VALUE}).")
    String stack;

    @Option(names = "--service", scope = ScopeType.INHERIT, paramLabel = "CLUSTER/SERVICE",
            description = "The service, when the pipeline deploys several.")
    String service;

    @Option(names = "--region", scope = ScopeType.INHERIT, paramLabel = "REGION",
            description = "The AWS region (default: the SDK's: AWS_REGION, your profile...).")
    String region;

    @Option(names = "--endpoint-url", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "Send every AWS call to this endpoint (an emulator); AWS_ENDPOINT_URL works too.")
    URI endpoint;

    @Option(names = "--local", scope = ScopeType.INHERIT,
            description = "Act on the local stack that `pushdeploy local up` started.")
    boolean local;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Function logs to stderr (run, invoke, demo, local up).")
    boolean verbose;

    final PrintStream out;
    final PrintStream err;
    final Path root;

    Main(PrintStream out, PrintStream err, Path root) {
        this.out = out;
        this.err = err;
        this.root = root;
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(err);
        return FAILED;
    }

    public static void main(String[] args) {
        Interruption.install(System.err);
        int code = FAILED;
        try {
            code = run(args, System.out, System.err);
        } finally {
            Interruption.finished();
        }
        System.exit(code);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Main main = new Main(out, err, root());
        CommandLine cli = new CommandLine(main);
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((e, arguments) -> {
            err.println("pushdeploy: " + e.getMessage());
            err.println("(pushdeploy " + commandPath(e.getCommandLine()) + "--help tells more)");
            return FAILED;
        });
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            if (Interruption.interrupted()) {
                return FAILED;
            }
            err.println("pushdeploy: " + message(e));
            if (main.verbose) {
                e.printStackTrace(err);
            }
            return FAILED;
        });
        return cli.execute(args);
    }

    private static String commandPath(CommandLine command) {
        return command.getParent() == null ? "" : commandPath(command.getParent()) + command.getCommandName() + " ";
    }

    /** An error in words: AWS errors with the service's code and message, missing credentials with what to do. */
    static String message(Throwable e) {
        Throwable cause = e;
        while (cause instanceof AwsFailureException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
            return (e == cause ? "" : e.getMessage() + ": ") + aws.awsErrorDetails().serviceName() + " answered "
                    + aws.awsErrorDetails().errorCode() + ": " + aws.awsErrorDetails().errorMessage();
        }
        if (cause instanceof SdkClientException sdk && sdk.getMessage() != null && sdk.getMessage().contains("Unable to load credentials")) {
            return "no AWS credentials found: run `aws configure` (or aws sso login), set AWS_PROFILE, or the AWS_ACCESS_KEY_ID/"
                    + "AWS_SECRET_ACCESS_KEY variables; or use --local for the local stack";
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** The operator's view of the pipeline this invocation names: {@code --local}, or {@code --stack} with AWS defaults. */
    Operator operator() {
        if (local) {
            LocalStackFile stackFile = LocalStackFile.read(root).orElseThrow(() -> new IllegalArgumentException(
                    "no local stack is running: start one with `pushdeploy local up`"));
            return Operator.connect(stackFile.connection(), stackFile.stack());
        }
        return Operator.connect(Connection.defaults(endpoint, region), stack);
    }

    Output output() {
        return new Output(out, err, json);
    }

    /** The repository root: {@code pushdeploy.root} (set by the launcher script), else the working directory. */
    static Path root() {
        String configured = System.getProperty("pushdeploy.root");
        return Path.of(configured == null ? "." : configured).toAbsolutePath().normalize();
    }

    /** The scan gate at {@code scanGate} ({@code --scan-gate}; null: off); states reported as they finish. */
    static LocalRuntime.Options options(Path root, Consumer<String> functionLog, String scanGate) {
        return options(root, functionLog, scanGate, Map.of());
    }

    /** The same with {@code parameters} (the template's) over the defaults. */
    static LocalRuntime.Options options(Path root, Consumer<String> functionLog, String scanGate, Map<String, String> parameters) {
        return new LocalRuntime.Options(root, functionLog, scanGate, true, parameters);
    }

    /** Where the functions' log lines go: stderr with {@code --verbose}, else {@code .pushdeploy/functions.log}. */
    Consumer<String> functionLog() {
        return verbose ? err::println : logFile(root, "functions.log");
    }

    static Consumer<String> logFile(Path root, String name) {
        Path file = StateDir.of(root).resolve(name);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return line -> {
            synchronized (Main.class) {
                try {
                    Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /** The version of this build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"pushdeploy " + (version == null ? "(development build)" : version)};
        }
    }
}
