package dev.pushdeploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pushdeploy.local.TestRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The launcher script starts the CLI's JVM as the CLI starts its own background JVM and as the tests start it. */
class LauncherTest {
    @Test
    void theLauncherGivesTheJvmTheCliOptions() throws IOException {
        List<String> exec = Files.readAllLines(TestRuntime.root().resolve("pushdeploy")).stream()
                .filter(l -> l.startsWith("exec ")).toList();
        assertEquals(1, exec.size(), "one exec line: " + exec);
        List<String> words = List.of(exec.get(0).split("\\s+"));
        int java = words.indexOf("\"$JAVA_HOME/bin/java\"");
        assertEquals(Main.JVM_OPTIONS, words.subList(java + 1, java + 1 + Main.JVM_OPTIONS.size()), exec.get(0));
    }
}
