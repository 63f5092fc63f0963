package dev.pushdeploy.local.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.proc.StateDir;
import dev.pushdeploy.ops.Connection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * {@code .pushdeploy/local.json}: how to reach the local stack that {@code pushdeploy local up}
 * started — the daemon's pid, the AWS endpoint (moto behind the local endpoint), the region and
 * credentials it accepts, the stack name its outputs are registered under, and the control endpoint.
 * Written by the daemon once the stack is ready, removed when it stops.
 */
public record LocalStackFile(long pid, URI endpoint, URI control, String region, String accessKey, String stack,
                             String startedAt) {
    public static final String ACCESS_KEY = "local";

    public static Path path(Path root) {
        return StateDir.of(root).resolve("local.json");
    }

    /** The file, if there is one (whether its daemon still runs or not: see {@link #alive()}). */
    public static Optional<LocalStackFile> read(Path root) {
        Path file = path(root);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode node = Json.tree(Files.readString(file));
            return Optional.of(new LocalStackFile(node.path("pid").asLong(), URI.create(node.path("endpoint").asText()),
                    URI.create(node.path("control").asText()), node.path("region").asText(), node.path("accessKey").asText(),
                    node.path("stack").asText(), node.path("startedAt").asText()));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(file + " is unreadable (" + e.getMessage() + "): `pushdeploy local down` removes it", e);
        }
    }

    void write(Path root) {
        Path file = path(root);
        try {
            Files.createDirectories(file.getParent());
            Path temporary = file.resolveSibling("local.json.tmp");
            Files.writeString(temporary, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(this));
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static void delete(Path root) {
        try {
            Files.deleteIfExists(path(root));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + path(root), e);
        }
    }

    /** Whether the daemon process still runs. */
    public boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The connection the operator commands use: the endpoint, static credentials, the region. */
    public Connection connection() {
        return Connection.emulator(endpoint, region, accessKey, accessKey);
    }
}
