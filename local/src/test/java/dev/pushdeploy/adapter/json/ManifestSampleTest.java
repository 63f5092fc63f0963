package dev.pushdeploy.adapter.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pushdeploy.request.ReleaseManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The committed sample manifest reads as documented (functions/ builds alone, so the events are read here). */
class ManifestSampleTest {
    @Test
    void theSampleManifestReads() throws Exception {
        ReleaseManifest manifest = ManifestParser.parse(Json.parse(Files.readString(Path.of("../events/manual-release.json"))));
        assertEquals(List.of(new ReleaseManifest.Entry("pushdeploy/web", "web:v1.1.0"), new ReleaseManifest.Entry("pushdeploy/api", "api:v1.1.0")),
                manifest.services());
        assertEquals("spring catalogue: front end and back end together", manifest.reason());
    }
}
