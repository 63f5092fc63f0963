package dev.pushdeploy.release;

import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.TaskDefinition;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A new revision, described as its change to the live one: the target container's image,
 * environment and secrets (complete, in order) and the revision's tags. Everything else of the
 * base revision carries over; {@link TaskDefinitions#register} applies the change.
 *
 * @param base        the revision the change applies to (its ARN)
 * @param container   the target container's name
 * @param image       the image the container runs, by digest
 * @param environment the container's plain environment variables, name → value
 * @param secrets     the container's secrets, name → valueFrom
 * @param tags        the new revision's tags
 */
public record RevisionChange(String base, String family, String container, String image, Map<String, String> environment,
                             Map<String, String> secrets, Map<String, String> tags) {
    public RevisionChange {
        environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        secrets = Collections.unmodifiableMap(new LinkedHashMap<>(secrets));
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    }

    /** Tag of a revision registered as a copy of another, naming the original's ARN. */
    public static final String TAG_COPY_OF = "pushdeploy:copy-of";

    /** Whether {@code revision} is a copy of {@code original} (tagged {@link #TAG_COPY_OF} with it). */
    public static boolean isCopyOf(TaskDefinition revision, String original) {
        return Revisions.same(revision.tags().get(TAG_COPY_OF), original);
    }

    /**
     * The same definition registered again (the way back to a deregistered revision): every container as it is,
     * its tags (but AWS's own) and {@link #TAG_COPY_OF}.
     */
    public static RevisionChange copyOf(TaskDefinition original) {
        TaskDefinition.Container first = original.containers().getFirst();
        Map<String, String> tags = new LinkedHashMap<>();
        original.tags().forEach((k, v) -> {
            if (!k.regionMatches(true, 0, "aws:", 0, 4)) {
                tags.put(k, v);
            }
        });
        tags.put(TAG_COPY_OF, original.arn());
        return new RevisionChange(original.arn(), original.family(), first.name(), first.image(), first.environment(),
                first.secrets(), tags);
    }
}
