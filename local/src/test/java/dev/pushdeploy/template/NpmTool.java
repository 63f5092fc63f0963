package dev.pushdeploy.template;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Node.js tool written elsewhere that the tests install from npm with the lockfile kept in {@code src/test/<name>}
 * ({@code npm ci}, into {@code target/<name>}, once); a missing npm fails the test that needs it.
 */
final class NpmTool {
    record Result(int exitCode, String output) {
    }

    private final Path installed;

    private NpmTool(Path installed) {
        this.installed = installed;
    }

    /** The tool {@code src/test/<name>} describes, installed by its lockfile unless it already is. */
    static synchronized NpmTool install(String name) throws Exception {
        Path source = Path.of("src/test", name).toAbsolutePath();
        Path installed = Path.of("target", name).toAbsolutePath();
        Files.createDirectories(installed);
        try (var files = Files.list(source)) {
            for (Path file : files.toList()) {
                Files.copy(file, installed.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        NpmTool tool = new NpmTool(installed);
        if (!Files.exists(installed.resolve("node_modules/.package-lock.json"))) {
            Result npm = tool.run(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"),
                    "npm (Node.js) is not installed: the tests install " + name + " with it");
            if (npm.exitCode() != 0) {
                throw new IllegalStateException("npm ci in " + installed + ": " + npm.output());
            }
        }
        return tool;
    }

    /** A file of the installed tool, e.g. {@code node_modules/.bin/asl-validator}. */
    Path path(String relative) {
        return installed.resolve(relative);
    }

    /** Runs {@code command} in the tool's directory; its stdout and stderr together. */
    Result run(List<String> command, String whenMissing) throws Exception {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(installed.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException(whenMissing + ": " + e.getMessage(), e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish");
        }
        return new Result(process.exitValue(), output.strip());
    }
}
