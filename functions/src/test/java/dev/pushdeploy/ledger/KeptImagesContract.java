package dev.pushdeploy.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What keeping an image's tag does, the in-memory fake as the ECR adapter ({@code InMemoryKeptImagesTest} here,
 * {@code EcrKeptImagesIT} on the emulator).
 */
public abstract class KeptImagesContract {
    static final String REPOSITORY = "web";
    static final String TAG = KeptImages.tag("web", 3);

    protected abstract KeptImages subject();

    protected abstract void createRepository(String name);

    /** Pushes a new image (untagged when {@code tag} is null); returns its digest. */
    protected abstract String push(String repository, String tag);

    /** Pushes a multi-platform image's index (its platform images untagged); returns the index's digest. */
    protected abstract String pushIndex(String repository, String tag);

    /** The image's tags, in any order; empty when the repository no longer holds it. */
    protected abstract Optional<List<String>> tags(String repository, String digest);

    @Test
    void keepingTagsTheImageItselfAndAgainChangesNothing() {
        createRepository(REPOSITORY);
        String digest = push(REPOSITORY, "v1.0.0");

        assertTrue(subject().keep(REPOSITORY, digest, TAG));
        assertTrue(subject().keep(REPOSITORY, digest, TAG), "a repeated keep is done already");

        assertEquals(List.of(TAG, "v1.0.0"), sorted(tags(REPOSITORY, digest)));
    }

    @Test
    void anImageTheRepositoryDoesNotHoldIsNotKept() {
        createRepository(REPOSITORY);
        String held = push(REPOSITORY, "v1.0.0");

        assertFalse(subject().keep(REPOSITORY, "sha256:" + "0".repeat(64), TAG));
        assertEquals(List.of("v1.0.0"), sorted(tags(REPOSITORY, held)));
    }

    @Test
    void aMultiPlatformImageIsKeptByItsIndex() {
        createRepository(REPOSITORY);
        String index = pushIndex(REPOSITORY, "v2.0.0");

        assertTrue(subject().keep(REPOSITORY, index, TAG));

        assertEquals(List.of(TAG, "v2.0.0"), sorted(tags(REPOSITORY, index)));
    }

    @Test
    void lettingGoTakesTheTagOffAndLeavesTheImage() {
        createRepository(REPOSITORY);
        String digest = push(REPOSITORY, "v1.0.0");
        subject().keep(REPOSITORY, digest, TAG);
        subject().keep(REPOSITORY, digest, KeptImages.tag("web", 4));

        assertTrue(subject().letGo(REPOSITORY, TAG));
        assertFalse(subject().letGo(REPOSITORY, TAG), "the tag is gone already");

        assertEquals(List.of(KeptImages.tag("web", 4), "v1.0.0"), sorted(tags(REPOSITORY, digest)));
    }

    @Test
    void anImagesLastTagIsNotTakenOffForThatWouldDeleteTheImage() {
        createRepository(REPOSITORY);
        String digest = push(REPOSITORY, null);
        subject().keep(REPOSITORY, digest, TAG);

        assertFalse(subject().letGo(REPOSITORY, TAG));

        assertEquals(List.of(TAG), sorted(tags(REPOSITORY, digest)));
    }

    @Test
    void aTagNoImageCarriesIsNotTakenOff() {
        createRepository(REPOSITORY);
        push(REPOSITORY, "v1.0.0");

        assertFalse(subject().letGo(REPOSITORY, TAG));
    }

    private static List<String> sorted(Optional<List<String>> tags) {
        return tags.orElseThrow(() -> new AssertionError("the image is gone")).stream().sorted().toList();
    }
}
