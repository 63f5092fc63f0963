package dev.pushdeploy.adapter.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Indexes as registries hold them: BuildKit's with provenance, Docker's manifest list, an image's own manifest. */
class ImageIndexesTest {
    private static final String AMD64 = "sha256:" + "a".repeat(64);
    private static final String ARM64 = "sha256:" + "b".repeat(64);
    private static final String ATTESTATION = "sha256:" + "c".repeat(64);

    /** What {@code docker buildx build --platform linux/amd64,linux/arm64 --push} pushes with its default provenance. */
    private static final String BUILDKIT = """
            {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [
              {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "%1$s", "size": 673,
               "platform": {"architecture": "amd64", "os": "linux"}},
              {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "%2$s", "size": 673,
               "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}},
              {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "%3$s", "size": 566,
               "annotations": {"vnd.docker.reference.digest": "%1$s", "vnd.docker.reference.type": "attestation-manifest"},
               "platform": {"architecture": "unknown", "os": "unknown"}}]}""".formatted(AMD64, ARM64, ATTESTATION);

    /** Docker's manifest list (image manifest v2, schema 2), as its specification shows one. */
    private static final String MANIFEST_LIST = """
            {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
             "manifests": [
              {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 7143, "digest": "%1$s",
               "platform": {"architecture": "ppc64le", "os": "linux"}},
              {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 7682, "digest": "%2$s",
               "platform": {"architecture": "amd64", "os": "linux", "features": ["sse4"]}}]}""".formatted(AMD64, ARM64);

    private static final String IMAGE = """
            {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
             "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 7, "digest": "%1$s"},
             "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "size": 7, "digest": "%2$s"}]}"""
            .formatted(AMD64, ARM64);

    @Test
    void buildKitsIndexNamesItsPlatformImagesNotTheAttestation() {
        assertEquals(List.of(AMD64, ARM64), ImageIndexes.platformImages("application/vnd.oci.image.index.v1+json", BUILDKIT));
    }

    @Test
    void aManifestListNamesItsImages() {
        assertEquals(List.of(AMD64, ARM64), ImageIndexes.platformImages(null, MANIFEST_LIST));
    }

    /** The OCI index's mediaType field is optional: the registry's media type decides. */
    @Test
    void theRegistrysMediaTypeDecides() {
        String withoutField = BUILDKIT.replace("\"mediaType\": \"application/vnd.oci.image.index.v1+json\",", "");
        assertEquals(List.of(AMD64, ARM64), ImageIndexes.platformImages("application/vnd.oci.image.index.v1+json", withoutField));
        assertEquals(List.of(), ImageIndexes.platformImages(null, withoutField));
        assertEquals(List.of(), ImageIndexes.platformImages("application/vnd.oci.image.manifest.v1+json", BUILDKIT));
    }

    @Test
    void anImageOrNothingHasNoPlatformImages() {
        assertEquals(List.of(), ImageIndexes.platformImages("application/vnd.oci.image.manifest.v1+json", IMAGE));
        assertEquals(List.of(), ImageIndexes.platformImages(null, IMAGE));
        assertEquals(List.of(), ImageIndexes.platformImages(null, null));
    }
}
