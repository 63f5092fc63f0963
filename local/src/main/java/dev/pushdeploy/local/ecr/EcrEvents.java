package dev.pushdeploy.local.ecr;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.local.run.EventEnvelope;
import java.time.Instant;

/**
 * ECR's "ECR Image Action" event for a completed push, shaped as ECR's guide shows it (no resources; the tag in the detail).
 * A push without a tag carries an empty {@code image-tag}, as captured from ECR.
 */
public final class EcrEvents {
    private EcrEvents() {
    }

    /**
     * @param tag               the pushed tag; null for a push without one
     * @param manifestMediaType the pushed manifest's media type
     * @param artifactMediaType its config's media type (an image index's own type for an index)
     */
    public static ObjectNode push(String account, String region, String repository, String tag, String digest,
                                  String manifestMediaType, String artifactMediaType, Instant at) {
        ObjectNode event = EventEnvelope.of("aws.ecr", "ECR Image Action", account, region, at.toEpochMilli() / 1000.0);
        ObjectNode detail = event.putObject("detail");
        detail.put("result", "SUCCESS");
        detail.put("repository-name", repository);
        detail.put("image-digest", digest);
        detail.put("action-type", "PUSH");
        detail.put("image-tag", tag == null ? "" : tag);
        detail.put("manifest-media-type", manifestMediaType);
        detail.put("artifact-media-type", artifactMediaType);
        return event;
    }
}
