package dev.pushdeploy.local.cli;

import dev.pushdeploy.local.LocalRuntime;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code ./pushdeploy}: run the workflow locally ({@code run}), invoke one function
 * ({@code invoke}), or watch a good and a bad push ({@code demo}).
 */
public final class Main {
    static final String USAGE = """
            usage:
              pushdeploy run --event FILE [--scenario NAME] [--scan-gate SEVERITY] [--rollout-seconds N] [--dump DIR] [--name NAME] [--throttle] [--verbose]
              pushdeploy invoke FUNCTION --event FILE [--scan-gate SEVERITY] [--verbose]
              pushdeploy demo [--rollout-seconds N] [--verbose]

            run       applies the template's EventBridge rule to the event (or takes a manual input as is),
                      runs the state machine in moto against simulated ECS and prints one line per state,
                      then one JSON summary. Exit: 0 SUCCEEDED/IGNORED/NOT_MATCHED, 2 REJECTED, 3 ROLLED_BACK,
                      4 ROLLBACK_FAILED, 5 SUPERSEDED, 1 otherwise.
                      scenarios: healthy (default), slow-start, crash-loop, unhealthy-targets, bad-smoke,
                      rollback-fails. --throttle answers ECS calls with ThrottlingException now and then.
                      --dump DIR writes history.json, ssm.json (decrypted values!) and summary.json.
                      --scan-gate SEVERITY turns the scan gate on (EnableScanGate=true, ScanGateSeverity=SEVERITY,
                      one of INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL); pushes are scanned on push, and
                      moto's scan finds one HIGH vulnerability.
            invoke    runs one function of template.yaml in process with the event, like `sam local invoke`.
            demo      a good push that goes live, then a bad push that is rolled back.
            Function logs go to .pushdeploy/functions.log (to stderr with --verbose).
            Time is simulated: waits cost no wall time, everything else takes as long as it does.
            --rollout-seconds N (run, demo): a healthy ECS rollout takes N simulated seconds (default 8);
            every phase of the simulated tasks scales with it.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            out.print(USAGE);
            return args.length == 0 ? 1 : 0;
        }
        Arguments arguments;
        try {
            arguments = Arguments.parse(Arrays.copyOfRange(args, 1, args.length));
        } catch (IllegalArgumentException e) {
            err.println("pushdeploy: " + e.getMessage());
            err.print(USAGE);
            return 1;
        }
        Path root = root();
        Consumer<String> functionLog = arguments.verbose() ? err::println : logFile(root);
        try {
            return switch (args[0]) {
                case "run" -> new RunCommand(root, arguments, out, err, functionLog).execute();
                case "invoke" -> new InvokeCommand(root, arguments, out, err, functionLog).execute();
                case "demo" -> new DemoCommand(root, arguments, out, functionLog).execute();
                default -> {
                    err.println("pushdeploy: unknown command " + args[0]);
                    err.print(USAGE);
                    yield 1;
                }
            };
        } catch (RuntimeException e) {
            err.println("pushdeploy: " + e.getMessage());
            return 1;
        }
    }

    /** The repository root: {@code pushdeploy.root} (set by the launcher script), else the working directory. */
    static Path root() {
        String configured = System.getProperty("pushdeploy.root");
        return Path.of(configured == null ? "." : configured).toAbsolutePath().normalize();
    }

    /** The scan gate at {@code scanGate} ({@code --scan-gate}; null: off); states reported as they finish. */
    static LocalRuntime.Options options(Path root, Consumer<String> functionLog, String scanGate) {
        return new LocalRuntime.Options(root, functionLog, scanGate, true);
    }

    /** Applies {@code --rollout-seconds}, when given. */
    static void rolloutSeconds(LocalRuntime runtime, Arguments arguments) {
        String value = arguments.options().get("--rollout-seconds");
        if (value == null) {
            return;
        }
        try {
            runtime.simulator().rolloutSeconds(Double.parseDouble(value));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--rollout-seconds must be a number of seconds, not " + value);
        }
    }

    private static Consumer<String> logFile(Path root) {
        Path file = root.resolve(".pushdeploy").resolve("functions.log");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

    /** Parsed options: {@code --name value} pairs, flags and positional words. */
    record Arguments(List<String> positional, java.util.Map<String, String> options, boolean verbose, boolean throttle) {
        private static final java.util.Set<String> WITH_VALUE = java.util.Set.of("--event", "--scenario", "--dump", "--name", "--scan-gate",
                "--rollout-seconds");

        static Arguments parse(String[] args) {
            List<String> positional = new ArrayList<>();
            java.util.Map<String, String> options = new java.util.HashMap<>();
            boolean verbose = false;
            boolean throttle = false;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (WITH_VALUE.contains(a)) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(a + " needs a value");
                    }
                    options.put(a, args[++i]);
                } else if (a.equals("--verbose")) {
                    verbose = true;
                } else if (a.equals("--throttle")) {
                    throttle = true;
                } else if (a.startsWith("--")) {
                    throw new IllegalArgumentException("unknown option " + a);
                } else {
                    positional.add(a);
                }
            }
            return new Arguments(positional, options, verbose, throttle);
        }

        String require(String option) {
            String value = options.get(option);
            if (value == null) {
                throw new IllegalArgumentException(option + " is required");
            }
            return value;
        }
    }
}
