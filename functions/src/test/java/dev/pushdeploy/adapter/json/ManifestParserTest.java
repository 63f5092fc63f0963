package dev.pushdeploy.adapter.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.request.ReleaseManifest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A manifest's shape is read strictly; anything else is rejected naming the field. */
class ManifestParserTest {
    @Test
    void aManifestReads() {
        ReleaseManifest manifest = ManifestParser.parse(Json.parse("""
                {"services": [{"service": "pushdeploy/web", "image": "web:v1.1.0"}, {"service": "pushdeploy/api", "image": "api:v1.1.0"}],
                 "reason": "spring catalogue: front end and back end together"}"""));
        assertEquals(List.of(new ReleaseManifest.Entry("pushdeploy/web", "web:v1.1.0"), new ReleaseManifest.Entry("pushdeploy/api", "api:v1.1.0")),
                manifest.services());
        assertEquals("spring catalogue: front end and back end together", manifest.reason());
    }

    @Test
    void reasonIsOptional() {
        ReleaseManifest manifest = ManifestParser.parse(Json.parse("{\"services\": [{\"service\": \"c/s\", \"image\": \"s:v1\"}]}"));
        assertEquals(null, manifest.reason());
        assertEquals(1, manifest.services().size());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[]                                                              | input               | must be a JSON object",
            "{}                                                              | services            | is required",
            "{\"services\": {}}                                              | services            | must be a list",
            "{\"services\": [], \"images\": []}                              | images              | is not a field of a release manifest",
            "{\"services\": [\"web:v1\"]}                                    | services[0]         | must be an object",
            "{\"services\": [{\"service\": \"c/s\", \"image\": \"s:v1\", \"tag\": \"v1\"}]} | services[0].tag | is not a field of a manifest entry",
            "{\"services\": [{\"service\": 1, \"image\": \"s:v1\"}]}         | services[0].service | must be a string",
            "{\"services\": [{\"service\": \"c/s\", \"image\": [\"s:v1\"]}]} | services[0].image   | must be a string",
            "{\"services\": [], \"reason\": 7}                               | reason              | must be a string",
    })
    void badShapesAreRejectedNamingTheField(String json, String field, String problem) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> ManifestParser.parse(Json.parse(json)));
        assertEquals(field, e.field());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void aManifestHasABound() {
        String big = "{\"services\": [], \"reason\": \"" + "x".repeat(ManifestParser.MANIFEST_MAX) + "\"}";
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> ManifestParser.parse(Json.parse(big)));
        assertEquals("input", e.field());
        assertTrue(e.getMessage().contains("at most 8192"), e.getMessage());
        assertThrows(InvalidRequestException.class, () -> ManifestParser.parse(null));
    }
}
