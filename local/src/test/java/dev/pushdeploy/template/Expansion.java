package dev.pushdeploy.template;

import dev.pushdeploy.local.template.CfnTemplate;
import dev.pushdeploy.testing.Emulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * template.yaml as CloudFormation's AWS::Serverless transform expands it: aws-sam-translator, offline,
 * run by {@code src/test/python/sam_expand.py} (once per test JVM). Conditions and intrinsic functions
 * stay in place; {@link Variant} evaluates them for one set of parameter values.
 */
final class Expansion {
    private static final Path SCRIPT = Path.of("src/test/python/sam_expand.py").toAbsolutePath();
    private static CfnTemplate expanded;

    private Expansion() {
    }

    static synchronized CfnTemplate template() {
        if (expanded == null) {
            expanded = CfnTemplate.parse(run(Repo.TEMPLATE_FILE));
        }
        return expanded;
    }

    private static String run(Path template) {
        List<String> command = List.of("python3", SCRIPT.toString(), template.toString(), Emulator.REGION);
        try {
            Path errors = Files.createTempFile("sam-expand", ".err");
            try {
                Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(2, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("sam_expand.py did not finish: " + command);
                }
                if (process.exitValue() != 0) {
                    throw new IllegalStateException("sam_expand.py failed (is aws-sam-translator installed? it comes with cfn-lint): "
                            + Files.readString(errors));
                }
                return output;
            } finally {
                Files.deleteIfExists(errors);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
