package dev.pushdeploy.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's layout section is the tree: it names every top-level file and folder of the
 * repository (and names nothing that is not there), every package of the functions and its
 * adapters, and every package of the local runtime.
 */
class ReadmeLayoutTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** What the build, the launcher and git leave in a checkout; hidden files are named only when they matter. */
    private static final Set<String> NOT_LAID_OUT = Set.of(".git", ".gitignore", ".aws-sam", ".pushdeploy", "target");
    private static final Path FUNCTIONS = ROOT.resolve("functions/src/main/java/dev/pushdeploy");
    private static final Path LOCAL = ROOT.resolve("local/src/main/java/dev/pushdeploy/local");

    private final List<String> layout = layout();

    @Test
    void everyTopLevelEntryIsLaidOutAndEveryOneLaidOutExists() throws IOException {
        Set<String> entries = new TreeSet<>();
        try (Stream<Path> top = Files.list(ROOT)) {
            top.map(p -> p.getFileName().toString() + (Files.isDirectory(p) ? "/" : ""))
                    .filter(name -> !NOT_LAID_OUT.contains(name.replace("/", "")) && !name.endsWith(".log"))
                    .forEach(entries::add);
        }
        Set<String> laidOut = new TreeSet<>();
        for (String line : layout) {
            if (!line.isEmpty() && !line.startsWith(" ")) {
                laidOut.add(line.split("\\s+", 2)[0]);
            }
        }
        laidOut.remove(".cfnlintrc.yaml");
        entries.remove(".cfnlintrc.yaml");
        assertEquals(entries, laidOut);
        assertTrue(String.join("\n", layout).contains(".cfnlintrc.yaml"));
    }

    @Test
    void everyPackageOfTheFunctionsAndItsAdaptersIsNamed() throws IOException {
        for (String name : packages(FUNCTIONS)) {
            assertTrue(layout.stream().anyMatch(l -> l.startsWith("  dev.pushdeploy." + name + " ")), "dev.pushdeploy." + name);
        }
        String adapter = entry("  dev.pushdeploy.adapter ");
        for (String name : packages(FUNCTIONS.resolve("adapter"))) {
            assertTrue(adapter.matches("(?s).*\\b" + name + "\\s+\\(.*"), "adapter." + name + " in: " + adapter);
        }
    }

    @Test
    void everyPackageOfTheLocalRuntimeIsNamed() throws IOException {
        String local = entry("local/ ");
        for (String name : packages(LOCAL)) {
            assertTrue(local.contains(" " + name + "/"), "dev.pushdeploy.local." + name + " in: " + local);
        }
        for (String name : packages(LOCAL.getParent())) {
            assertTrue(local.contains("  dev.pushdeploy." + name + " "), "dev.pushdeploy." + name + " in: " + local);
        }
    }

    private static List<String> packages(Path dir) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The lines of the layout entry that starts with {@code start}: up to the next line indented no deeper. */
    private String entry(String start) {
        int depth = start.length() - start.stripLeading().length();
        List<String> lines = new ArrayList<>();
        for (String line : layout) {
            if (lines.isEmpty() ? line.startsWith(start) : line.length() - line.stripLeading().length() > depth) {
                lines.add(line);
            } else if (!lines.isEmpty()) {
                break;
            }
        }
        assertTrue(!lines.isEmpty(), "no layout entry " + start.strip());
        return String.join("\n", lines);
    }

    private static List<String> layout() {
        try {
            String readme = Files.readString(ROOT.resolve("README.md"));
            int section = readme.indexOf("\n## Layout\n");
            assertTrue(section >= 0, "README.md has a Layout section");
            int start = readme.indexOf("```\n", section) + 4;
            return List.of(readme.substring(start, readme.indexOf("```", start)).split("\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
