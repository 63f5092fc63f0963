package dev.pushdeploy.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * `sam build` copies functions/ alone into a scratch folder and runs its unit tests there, so nothing
 * under functions/ may read a file outside it (events/, template.yaml, statemachine/ are absent there).
 * .ci/sam-build proves the whole build that way; this test names the offending line quickly.
 */
class FunctionsAloneTest {
    private static final Pattern OUTSIDE = Pattern.compile("\"\\.\\./|Path\\.of\\(\"\\.\\.\"");

    @Test
    void nothingUnderFunctionsReadsOutsideIt() throws IOException {
        List<String> offending;
        try (Stream<Path> files = Files.walk(Path.of("../functions/src"))) {
            offending = files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".java"))
                    .flatMap(FunctionsAloneTest::outsideReads).toList();
        }
        assertEquals(List.of(), offending);
    }

    private static Stream<String> outsideReads(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return java.util.stream.IntStream.range(0, lines.size()).filter(i -> OUTSIDE.matcher(lines.get(i)).find())
                    .mapToObj(i -> file + ":" + (i + 1) + ": " + lines.get(i).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
