package dev.pushdeploy.testing;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A function started as Lambda's managed Java runtime starts it: AWS's runtime client
 * ({@code aws-lambda-java-runtime-interface-client}) and what it needs on the system classpath, the
 * function's task root as working directory (the client loads the handler from its classes and
 * lib/ jars), the JVM options Lambda's java21 runtime sets, and an environment holding Lambda's own
 * variables, pointed at a {@link FakeRuntimeApi} and the emulator, then the function's.
 */
public final class RuntimeClient {
    private static final String MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    /** Lambda puts these on the system classpath, not in the function. */
    private static final List<String> JARS = List.of(
            "aws-lambda-java-runtime-interface-client", "aws-lambda-java-core", "aws-lambda-java-serialization", "utils-lite");

    private RuntimeClient() {
    }

    /** The test JVM's own java launcher. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * A task root laid out as `sam build` ships a function, in {@code root}: functions/'s classes at
     * the root, its runtime jars in lib/, and the classes of each of {@code more} (a directory) beside them.
     */
    public static Path taskRoot(Path root, List<Path> more) throws IOException {
        List<Path> trees = new ArrayList<>(List.of(DeploymentPackage.classes()));
        trees.addAll(more);
        for (Path tree : trees) {
            try (Stream<Path> files = Files.walk(tree)) {
                for (Path file : files.toList()) {
                    Path target = root.resolve(tree.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        Path lib = Files.createDirectories(root.resolve("lib"));
        for (Path jar : DeploymentPackage.jars()) {
            Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        return root;
    }

    /**
     * The process of the function named {@code function} whose Handler is {@code handler}, in {@code taskRoot}, started
     * with {@code java}; {@code variables} are the function's (its JAVA_TOOL_OPTIONS among them, if any).
     */
    public static ProcessBuilder builder(String java, String function, String handler, Path taskRoot, FakeRuntimeApi api,
            URI endpoint, Map<String, String> variables) {
        String classpath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> JARS.stream().anyMatch(name -> Path.of(entry).getFileName().toString().startsWith(name + "-")))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED"));
        if (java.equals(java()) && Runtime.version().feature() >= 23) {
            // newer JDKs than Lambda's java21 warn on stderr about the client's use of sun.misc.Unsafe
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-cp", classpath, MAIN, handler));
        ProcessBuilder builder = new ProcessBuilder(command).directory(taskRoot.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("AWS_") || name.startsWith("_LAMBDA") || name.startsWith("JAVA_TOOL"));
        env.putAll(Map.of(
                "AWS_LAMBDA_RUNTIME_API", api.address(),
                "AWS_LAMBDA_LOG_FORMAT", "JSON",
                "AWS_LAMBDA_FUNCTION_NAME", "pushdeploy-" + function,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024",
                "AWS_LAMBDA_FUNCTION_VERSION", "1",
                "AWS_REGION", Emulator.REGION,
                "AWS_ACCESS_KEY_ID", "testing",
                "AWS_SECRET_ACCESS_KEY", "testing",
                "AWS_ENDPOINT_URL", endpoint.toString(),
                "LAMBDA_TASK_ROOT", taskRoot.toAbsolutePath().toString()));
        env.putAll(variables);
        return builder;
    }

    /** What the Runtime API saw of one invocation, and the milliseconds from starting the process to it. */
    public record Answered(FakeRuntimeApi.Outcome outcome, long millis) {
    }

    /**
     * Starts {@code builder}'s process (made by {@link #builder} with {@code api}), waits at most {@code timeout} for the
     * outcome of the invocation queued on {@code api}, then ends the process and waits for it to end: what it printed is
     * all in its output's files by then.
     */
    public static Answered invoke(ProcessBuilder builder, FakeRuntimeApi api, Duration timeout) throws Exception {
        long start = System.nanoTime();
        Process process = builder.start();
        try {
            FakeRuntimeApi.Outcome outcome = api.outcome().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Answered(outcome, (System.nanoTime() - start) / 1_000_000);
        } finally {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
