package dev.pushdeploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.TestRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** {@code ./pushdeploy} in a child JVM, as the launcher script runs it (the test classpath). */
public final class CliProcess {
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final Path dir;
    private final Map<String, String> environment;
    private final List<String> leading;

    /** @param leading arguments every command starts with (global options) */
    public CliProcess(Path dir, Map<String, String> environment, String... leading) {
        this.dir = dir;
        this.environment = Map.copyOf(environment);
        this.leading = List.of(leading);
    }

    /** Starts a command; its output goes to files in the directory. */
    Started start(String... args) throws IOException {
        int n = RUNS.incrementAndGet();
        Path out = dir.resolve("out-" + n + ".txt");
        Path err = dir.resolve("err-" + n + ".txt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(Main.JVM_OPTIONS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "-Dpushdeploy.root=" + TestRuntime.root(),
                Main.class.getName()));
        command.addAll(leading);
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(environment);
        return new Started(pb.start(), out, err, String.join(" ", args));
    }

    /** Runs a command to its end (at most 5 minutes). */
    public Result run(String... args) throws IOException, InterruptedException {
        return start(args).await();
    }

    /** A command that runs. */
    record Started(Process process, Path out, Path errFile, String command) {
        Result await() throws IOException, InterruptedException {
            if (!process.waitFor(300, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("pushdeploy " + command + " did not finish within 300 s: " + err());
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), err());
        }

        String err() throws IOException {
            return Files.readString(errFile, StandardCharsets.UTF_8);
        }
    }

    /** How a command ended. */
    public record Result(int exit, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        /** The last line, as JSON ({@code run}'s summary). */
        JsonNode summary() {
            List<String> lines = lines();
            return Json.tree(lines.get(lines.size() - 1));
        }

        /** All of stdout, as one JSON document ({@code --json}). */
        public JsonNode json() {
            return Json.tree(out);
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }
}
