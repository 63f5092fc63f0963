package dev.pushdeploy.local.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The expansions' file cache: an expansion is made once per key, then read back as it was written. */
class SamTranslatorCacheTest {
    @TempDir
    Path directory;

    @Test
    void anExpansionIsMadeOncePerKeyAndReadBackFromItsFile() throws IOException {
        List<String> made = new ArrayList<>();
        JsonNode first = SamTranslator.cached(directory, "template a", expansion(made, "a"));
        JsonNode again = SamTranslator.cached(directory, "template a", expansion(made, "a again"));
        JsonNode other = SamTranslator.cached(directory, "template b", expansion(made, "b"));

        assertEquals(List.of("a", "b"), made, "the second request of a key reads the file");
        assertEquals(first, again);
        assertEquals("b", other.path("Description").asText());
        try (var files = Files.list(directory)) {
            assertEquals(List.of(".json", ".json"), files.map(f -> f.getFileName().toString().replaceAll("^[0-9a-f]{64}", "")).toList(),
                    "one file per key, no temporary file left");
        }
    }

    private static Supplier<JsonNode> expansion(List<String> made, String description) {
        return () -> {
            made.add(description);
            return new ObjectMapper().createObjectNode().put("Description", description);
        };
    }
}
