package dev.pushdeploy.local.proc;

import java.nio.file.Path;

/**
 * Where the local runtime keeps its files: {@code PUSHDEPLOY_STATE_DIR}, else {@code .pushdeploy} in
 * the repository root (logs, the running local stack's {@code local.json}, the process records).
 */
public final class StateDir {
    public static final String VARIABLE = "PUSHDEPLOY_STATE_DIR";

    private StateDir() {
    }

    public static Path of(Path root) {
        String configured = System.getenv(VARIABLE);
        return configured == null || configured.isBlank() ? root.resolve(".pushdeploy") : Path.of(configured).toAbsolutePath();
    }
}
