package dev.pushdeploy.local.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Expands a SAM template into plain CloudFormation with aws-sam-translator (the library behind
 * CloudFormation's {@code AWS::Serverless-2016-10-31} transform; it comes with cfn-lint), run in
 * Python by {@code sam_expand.py}. Expansions are cached per template content, region, account and
 * parameter values (none for a template that declares no transform) for the life of the JVM, and,
 * when {@code $PUSHDEPLOY_SAM_CACHE} names a directory, in files there for every JVM that names it
 * (the build's tests do: within one build the translator does not change; the key does not know the
 * translator's version, so a directory must not outlive an upgrade of it).
 *
 * <p>Python is {@code python3}, or {@code $PUSHDEPLOY_PYTHON}. A missing interpreter, a missing
 * translator or a template the translator rejects fails with the translator's own message.
 */
public final class SamTranslator {
    private static final String SCRIPT = "/dev/pushdeploy/local/sam_expand.py";
    private static final long TIMEOUT_SECONDS = 120;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, JsonNode> EXPANDED = new ConcurrentHashMap<>();
    private static final AtomicInteger RUNS = new AtomicInteger();

    private SamTranslator() {
    }

    /**
     * The template as CloudFormation sees it after the SAM transform.
     *
     * @param parameters parameter values given to the transform; the others take their defaults
     */
    public static JsonNode expand(Path template, String region, String account, Map<String, String> parameters) {
        byte[] content;
        try {
            content = Files.readAllBytes(template);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + template, e);
        }
        String arguments = mayDeclareTransform(content) ? json(new TreeMap<>(parameters)) : "{}";
        String key = sha256(content) + " " + region + " " + account + " " + arguments;
        String directory = System.getenv("PUSHDEPLOY_SAM_CACHE");
        Supplier<JsonNode> expansion = () -> run(template, region, account, arguments);
        return EXPANDED.computeIfAbsent(key, k -> directory == null || directory.isBlank() ? expansion.get()
                : cached(Path.of(directory), python() + "\n" + script() + k, expansion)).deepCopy();
    }

    /**
     * Whether a template may declare a transform. CloudFormation transforms only a template that declares one, so any
     * other expands to itself whatever the parameter values: it is expanded once, with none (a nested stack's plain
     * template, once for all the stacks made of it). Errs towards yes: a template that names {@code Transform} or
     * {@code AWS::Serverless} anywhere counts as declaring one.
     */
    static boolean mayDeclareTransform(byte[] content) {
        String text = new String(content, StandardCharsets.UTF_8);
        return text.contains("Transform") || text.contains("AWS::Serverless");
    }

    /** How many times this JVM ran the translator. */
    static int runs() {
        return RUNS.get();
    }

    /** The expansion {@code key} names, from its file in {@code directory}, or made and written there. */
    static JsonNode cached(Path directory, String key, Supplier<JsonNode> expansion) {
        Path file = directory.resolve(sha256(key.getBytes(StandardCharsets.UTF_8)) + ".json");
        try {
            if (Files.isRegularFile(file)) {
                return JSON.readTree(file.toFile());
            }
            JsonNode expanded = expansion.get();
            Files.createDirectories(file.getParent());
            Path written = Files.createTempFile(file.getParent(), "expansion", ".tmp");
            JSON.writeValue(written.toFile(), expanded);
            Files.move(written, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return expanded;
        } catch (IOException e) {
            throw new UncheckedIOException("the expansion cache " + directory + ": " + e.getMessage(), e);
        }
    }

    private static String script() {
        try (InputStream script = SamTranslator.class.getResourceAsStream(SCRIPT)) {
            if (script == null) {
                throw new IllegalStateException(SCRIPT + " is missing from the classpath");
            }
            return new String(script.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode run(Path template, String region, String account, String parameters) {
        RUNS.incrementAndGet();
        String python = python();
        List<String> command = List.of(python, "-", template.toAbsolutePath().toString(), region, account, parameters);
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + python + " to expand " + template
                    + " with aws-sam-translator (Python 3 with cfn-lint installed; PUSHDEPLOY_PYTHON names another interpreter): "
                    + e.getMessage(), e);
        }
        try {
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            try (var stdin = process.getOutputStream()) {
                stdin.write(script().getBytes(StandardCharsets.UTF_8));
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("aws-sam-translator did not expand " + template + " within " + TIMEOUT_SECONDS + " s");
            }
            String errors = new String(err.join(), StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0) {
                throw new IllegalStateException("aws-sam-translator cannot expand " + template + ": " + errors);
            }
            return JSON.readTree(out.join());
        } catch (IOException e) {
            throw new UncheckedIOException("expanding " + template, e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while expanding " + template, e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String python() {
        String configured = System.getenv("PUSHDEPLOY_PYTHON");
        return configured == null || configured.isBlank() ? "python3" : configured;
    }

    private static String json(Map<String, String> values) {
        try {
            return JSON.writeValueAsString(values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(byte[] content) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
