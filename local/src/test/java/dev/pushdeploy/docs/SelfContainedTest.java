package dev.pushdeploy.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The repository explains itself: no file cites a design document or brief that is not in it
 * (what maintainers need of the design is in docs/design.md and the README).
 */
class SelfContainedTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Set<String> SKIPPED = Set.of(".git", "target", "node_modules", ".pushdeploy");
    /** Spelled in parts so that this file does not match itself. */
    private static final Pattern OUTSIDE = Pattern.compile("\\b(" + "DES" + "IGN|" + "BRI" + "EF)\\b");

    @Test
    void noFileRefersToADocumentOutsideTheRepository() throws IOException {
        List<String> found = new ArrayList<>();
        int read = 0;
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path file : files.filter(Files::isRegularFile)
                    .filter(f -> Stream.of(ROOT.relativize(f).toString().split("/")).noneMatch(SKIPPED::contains))
                    .toList()) {
                String text;
                try {
                    text = Files.readString(file, StandardCharsets.UTF_8);
                } catch (MalformedInputException binary) {
                    continue;
                }
                read++;
                List<String> lines = text.lines().toList();
                for (int i = 0; i < lines.size(); i++) {
                    if (OUTSIDE.matcher(lines.get(i)).find()) {
                        found.add(ROOT.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertTrue(read > 100, "read " + read + " files under " + ROOT);
        assertEquals(List.of(), found);
    }
}
