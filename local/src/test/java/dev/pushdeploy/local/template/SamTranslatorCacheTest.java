package dev.pushdeploy.local.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The expansions' caches: an expansion is made once per key, then read back as it was written. */
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

    /**
     * A template that declares no transform (the nested release stack's) expands to itself whatever its parameters: one
     * run of the translator for every stack made of it, the same expansion as with the parameters given.
     */
    @Test
    void aTemplateWithoutTransformIsExpandedOnceWhateverItsParameters() throws IOException {
        Path release = Path.of("..", "release.yaml").toAbsolutePath().normalize();
        Path copy = directory.resolve("release.yaml");
        Files.writeString(copy, Files.readString(release) + "\n# " + System.nanoTime() + "\n");
        assertFalse(SamTranslator.mayDeclareTransform(Files.readAllBytes(copy)));
        int before = SamTranslator.runs();

        JsonNode first = SamTranslator.expand(copy, "us-east-1", "123456789012", Map.of("Image", "/pushdeploy/release/a/image"));
        JsonNode second = SamTranslator.expand(copy, "eu-west-1", "123456789012", Map.of("Image", "/pushdeploy/release/b/image"));
        JsonNode third = SamTranslator.expand(copy, "us-east-1", "123456789012", Map.of("Image", "/pushdeploy/release/c/image",
                "BootstrapImage", "public.ecr.aws/nginx/nginx:stable"));

        assertEquals(2, SamTranslator.runs() - before, "one run per region, none per parameter set");
        assertEquals(first, third);
        assertEquals(first.path("Resources"), second.path("Resources"));
        assertEquals(first, SamTranslator.run(copy, "us-east-1", "123456789012",
                "{\"Image\":\"/pushdeploy/release/c/image\",\"BootstrapImage\":\"public.ecr.aws/nginx/nginx:stable\"}"),
                "the translator's expansion with the parameters given");
    }

    @Test
    void aTemplateNamingATransformOrServerlessResourcesMayDeclareOne() throws IOException {
        assertTrue(SamTranslator.mayDeclareTransform(Files.readAllBytes(Path.of("..", "template.yaml"))));
        assertTrue(SamTranslator.mayDeclareTransform("{\"Transform\": [\"AWS::Serverless-2016-10-31\"], \"Resources\": {}}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertTrue(SamTranslator.mayDeclareTransform("Resources:\n  F:\n    Type: AWS::Serverless::Function\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertFalse(SamTranslator.mayDeclareTransform("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static Supplier<JsonNode> expansion(List<String> made, String description) {
        return () -> {
            made.add(description);
            return new ObjectMapper().createObjectNode().put("Description", description);
        };
    }
}
