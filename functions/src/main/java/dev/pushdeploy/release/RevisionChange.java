package dev.pushdeploy.release;

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
}
