package dev.pushdeploy.request;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The ECR reads Prepare needs. */
public interface ImageRegistry {
    /** The repository's URI ({@code <registry>/<name>}), or empty when the repository does not exist. */
    Optional<String> repositoryUri(String repository);

    /** The image a tag or a digest ({@code sha256:…}) names, or empty when the repository holds no such image. */
    Optional<Image> image(String repository, String reference);

    /** One image as ECR describes it. */
    record Image(String digest, List<String> tags, Instant pushedAt) {
        public Image {
            tags = tags == null ? List.of() : List.copyOf(tags);
        }
    }
}
