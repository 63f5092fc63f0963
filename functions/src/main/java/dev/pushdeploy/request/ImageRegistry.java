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

    /**
     * One image as ECR describes it.
     *
     * @param status ECR's imageStatus (ACTIVE, ARCHIVED, ACTIVATING); null when the registry says none (ACTIVE)
     */
    record Image(String digest, List<String> tags, Instant pushedAt, String status) {
        public Image {
            tags = tags == null ? List.of() : List.copyOf(tags);
        }

        public Image(String digest, List<String> tags, Instant pushedAt) {
            this(digest, tags, pushedAt, null);
        }

        /** Why no task could pull the image now (ECR's archive), or null when it can be pulled. */
        public String unpullable() {
            return switch (status == null ? "ACTIVE" : status) {
                case "ARCHIVED" -> "ECR has archived (ARCHIVED: an archived image cannot be pulled; restore it to the standard"
                        + " storage class, or push it again)";
                case "ACTIVATING" -> "ECR is restoring from its archive (ACTIVATING: it cannot be pulled until it is ACTIVE)";
                default -> null;
            };
        }
    }
}
