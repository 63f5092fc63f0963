package dev.pushdeploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code release}'s arguments are checked before anything is read from AWS; errors name the file, line or option. */
class ReleaseCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aMissingManifestIsNamed() {
        Path missing = dir.resolve("shop.json");
        assertEquals(Main.FAILED, run("--endpoint-url", "http://127.0.0.1:9", "release", missing.toString()));
        assertTrue(err().contains("MANIFEST " + missing + ": no such file"), err());
    }

    @Test
    void invalidJsonNamesTheFileAndLine() throws Exception {
        Path bad = Files.writeString(dir.resolve("shop.json"), "{\n  \"services\": [\n    {\"service\": \"pushdeploy/web\",,}\n]}");
        assertEquals(Main.FAILED, run("--endpoint-url", "http://127.0.0.1:9", "release", bad.toString()));
        assertTrue(err().contains("MANIFEST " + bad + ":3:"), err());
    }

    @Test
    void aTooLongNameOrManifestIsRefused() throws Exception {
        Path manifest = Files.writeString(dir.resolve("shop.json"), "{\"services\": []}");
        assertEquals(Main.FAILED, run("release", "--name", "r".repeat(41), manifest.toString()));
        assertTrue(err().contains("--name '" + "r".repeat(41) + "' is 41 characters; a release's name is at most 40"), err());

        Path big = Files.writeString(dir.resolve("big.json"), "{\"reason\": \"" + "x".repeat(9000) + "\"}");
        assertEquals(Main.FAILED, run("release", big.toString()));
        assertTrue(err().contains("is 9014 bytes; a release manifest is at most 8192"), err());
    }
}
