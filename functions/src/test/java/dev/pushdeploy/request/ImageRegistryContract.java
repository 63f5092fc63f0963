package dev.pushdeploy.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.request.ImageRegistry.Image;
import dev.pushdeploy.request.ScanFindings.ScanReport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the registry reads do, the in-memory fake as the ECR adapter ({@code FakeRegistryTest} here,
 * {@code EcrRegistryIT} on the emulator). Each subject arranges a case its own way (a repository
 * created, an image pushed, a scan completed); the reads under test are the same.
 */
public abstract class ImageRegistryContract {
    static final String REPOSITORY = "web";

    protected abstract ImageRegistry registry();

    protected abstract ScanFindings findings();

    protected abstract void createRepository(String name);

    /** Pushes a new image (untagged when {@code tag} is null); returns its digest. */
    protected abstract String push(String repository, String tag);

    /**
     * Pushes an image index referring to {@code platformImages}, as a multi-platform build with provenance pushes it
     * (an attestation manifest beside each image); returns its digest.
     */
    protected abstract String pushIndex(String repository, String tag, List<String> platformImages);

    /** Completes a scan of the image that finds {@code severityCounts}. */
    protected abstract void scan(String repository, String digest, Map<String, Integer> severityCounts);

    @Test
    void aRepositoryHasItsUriUnderTheRegistryAndAMissingOneNone() {
        createRepository(REPOSITORY);

        String uri = registry().repositoryUri(REPOSITORY).orElseThrow();

        assertTrue(uri.matches("\\d{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com/" + REPOSITORY), uri);
        assertTrue(registry().repositoryUri("missing").isEmpty());
    }

    @Test
    void anImageReadsTheSameByTagAndByDigest() {
        createRepository(REPOSITORY);
        String digest = push(REPOSITORY, "v1.0.0");

        Image byTag = registry().image(REPOSITORY, "v1.0.0").orElseThrow();
        Image byDigest = registry().image(REPOSITORY, digest).orElseThrow();

        assertEquals(digest, byTag.digest());
        assertEquals(List.of("v1.0.0"), byTag.tags());
        assertNotNull(byTag.pushedAt());
        assertEquals(byTag, byDigest);
    }

    @Test
    void anUntaggedImageHasNoTags() {
        createRepository(REPOSITORY);
        String digest = push(REPOSITORY, null);

        assertEquals(List.of(), registry().image(REPOSITORY, digest).orElseThrow().tags());
    }

    @Test
    void aTagPushedAgainNamesTheNewerImage() {
        createRepository(REPOSITORY);
        String first = push(REPOSITORY, "latest");
        String second = push(REPOSITORY, "latest");

        assertNotEquals(first, second);
        assertEquals(second, registry().image(REPOSITORY, "latest").orElseThrow().digest());
    }

    @Test
    void anUnknownReferenceOrRepositoryReadsEmpty() {
        createRepository(REPOSITORY);
        push(REPOSITORY, "v1.0.0");

        assertTrue(registry().image(REPOSITORY, "v9.9.9").isEmpty());
        assertTrue(registry().image(REPOSITORY, "sha256:" + "0".repeat(64)).isEmpty());
        assertTrue(registry().image("missing", "v1.0.0").isEmpty());
    }

    @Test
    void anImageNeverScannedHasNoScan() {
        createRepository(REPOSITORY);
        String digest = push(REPOSITORY, "v1.0.0");

        assertTrue(findings().scan(REPOSITORY, digest).isEmpty());
    }

    @Test
    void aCompletedScanReportsItsStatusAndSeverityCounts() {
        createRepository(REPOSITORY);
        String digest = push(REPOSITORY, "v1.0.0");
        scan(REPOSITORY, digest, Map.of("CRITICAL", 1, "MEDIUM", 3));

        ScanReport report = findings().scan(REPOSITORY, digest).orElseThrow();

        assertEquals("COMPLETE", report.status());
        assertEquals(Map.of("CRITICAL", 1, "MEDIUM", 3), report.severityCounts());
    }

    @Test
    void anIndexNamesItsPlatformImagesAndNotItsAttestations() {
        createRepository(REPOSITORY);
        String amd64 = push(REPOSITORY, null);
        String arm64 = push(REPOSITORY, null);
        String index = pushIndex(REPOSITORY, "v2.0.0", List.of(amd64, arm64));

        assertEquals(List.of(amd64, arm64), findings().platformImages(REPOSITORY, index));
        assertEquals(index, registry().image(REPOSITORY, "v2.0.0").orElseThrow().digest());
    }

    @Test
    void anImageOrAnUnknownOneHasNoPlatformImages() {
        createRepository(REPOSITORY);
        String digest = push(REPOSITORY, "v1.0.0");

        assertEquals(List.of(), findings().platformImages(REPOSITORY, digest));
        assertEquals(List.of(), findings().platformImages(REPOSITORY, "sha256:" + "0".repeat(64)));
        assertEquals(List.of(), findings().platformImages("missing", digest));
    }
}
