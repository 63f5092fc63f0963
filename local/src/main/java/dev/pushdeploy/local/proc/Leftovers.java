package dev.pushdeploy.local.proc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The processes and folders a local runtime leaves behind when its JVM dies without closing it
 * ({@code kill -9}): each runtime records its moto and PostgreSQL processes and their folders in
 * {@code .pushdeploy/processes/<jvm pid>.json} and removes the record when it closes. Whoever
 * starts a runtime next, and {@code pushdeploy local down}, reaps the records whose JVM is gone:
 * the recorded processes are stopped (only if their command line is still the recorded program's:
 * a pid may have been reused) and the folders deleted.
 */
public final class Leftovers {
    private static final Duration GRACE = Duration.ofSeconds(5);

    private Leftovers() {
    }

    /**
     * One process of a runtime.
     *
     * @param marker a part of its command line that identifies it (e.g. its script or data folder)
     * @param folder the folder it works in, deleted when reaped; may be null
     */
    public record Child(long pid, String marker, Path folder) {
    }

    /** Records this JVM's runtime children (replacing an earlier record of this JVM). */
    public static void record(Path root, List<Child> children) {
        ObjectNode node = Json.object().put("owner", ProcessHandle.current().pid());
        ArrayNode list = node.putArray("children");
        for (Child c : children) {
            list.addObject().put("pid", c.pid()).put("marker", c.marker()).put("folder", c.folder() == null ? null : c.folder().toString());
        }
        try {
            Files.createDirectories(directory(root));
            Files.writeString(file(root, ProcessHandle.current().pid()), node.toString());
        } catch (IOException e) {
            // without the record only a kill -9 leaves something behind; the runtime itself works
        }
    }

    /** Removes this JVM's record (its runtime closed cleanly). */
    public static void forget(Path root) {
        try {
            Files.deleteIfExists(file(root, ProcessHandle.current().pid()));
        } catch (IOException e) {
            // a stale record of a live JVM is never reaped; the next start of this pid overwrites it
        }
    }

    /** Stops and deletes what dead JVMs' runtimes left; returns one line per process stopped. */
    public static List<String> reap(Path root) {
        List<String> reaped = new ArrayList<>();
        Path dir = directory(root);
        if (!Files.isDirectory(dir)) {
            return reaped;
        }
        List<Path> records;
        try (Stream<Path> files = Files.list(dir)) {
            records = files.filter(f -> f.getFileName().toString().endsWith(".json")).toList();
        } catch (IOException e) {
            return reaped;
        }
        for (Path record : records) {
            JsonNode node;
            try {
                node = Json.tree(Files.readString(record));
            } catch (IOException | RuntimeException e) {
                deleteQuietly(record);
                continue;
            }
            long owner = node.path("owner").asLong();
            if (owner == ProcessHandle.current().pid() || ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                continue;
            }
            for (JsonNode child : node.path("children")) {
                Child c = new Child(child.path("pid").asLong(), child.path("marker").asText(),
                        child.hasNonNull("folder") ? Path.of(child.get("folder").asText()) : null);
                if (stop(c)) {
                    reaped.add("stopped pid " + c.pid() + " (" + c.marker() + ") left by pid " + owner);
                }
                if (c.folder() != null) {
                    deleteTree(c.folder());
                }
            }
            deleteQuietly(record);
        }
        return reaped;
    }

    private static boolean stop(Child child) {
        Optional<ProcessHandle> process = ProcessHandle.of(child.pid());
        if (process.isEmpty() || !process.get().isAlive()) {
            return false;
        }
        String command = process.get().info().commandLine().orElse("");
        if (!command.contains(child.marker())) {
            return false;
        }
        process.get().destroy();
        try {
            process.get().onExit().get(GRACE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            process.get().destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            // gone
        }
        return true;
    }

    private static void deleteTree(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            walk.sorted(Comparator.reverseOrder()).forEach(Leftovers::deleteQuietly);
        } catch (IOException e) {
            // best effort: a temporary folder left behind is harmless
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // best effort
        }
    }

    private static Path directory(Path root) {
        return StateDir.of(root).resolve("processes");
    }

    private static Path file(Path root, long owner) {
        return directory(root).resolve(owner + ".json");
    }
}
