package dev.pushdeploy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What {@code sam build} ships of functions/ as a Lambda deployment package: the task root's classes and {@code lib/}'s
 * jars, as Maven leaves them in functions/target (classes, dependency). Lambda's runtime loads a function from the
 * classes first, then lib/'s jars in lexical order (its customer class loader sorts them).
 */
public final class DeploymentPackage {
    private static final Path FUNCTIONS = Path.of("..", "functions").toAbsolutePath().normalize();

    private DeploymentPackage() {
    }

    /** The task root's classes; fails unless functions/ was built through {@code package}. */
    public static Path classes() {
        return built().resolve("classes");
    }

    /** lib/'s jars, in the order Lambda loads them. */
    public static List<Path> jars() {
        try (Stream<Path> files = Files.list(built().resolve("dependency"))) {
            return files.filter(file -> file.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path built() {
        Path target = FUNCTIONS.resolve("target");
        if (!Files.isDirectory(target.resolve("classes/dev/pushdeploy/handler")) || !Files.isDirectory(target.resolve("dependency"))) {
            throw new IllegalStateException("build functions/ through `package` first (its classes and target/dependency)");
        }
        return target;
    }
}
