package dev.pushdeploy.adapter.json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The platform images an image index or Docker manifest list refers to, read from its manifest. */
public final class ImageIndexes {
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    /** OCI's image index and Docker's manifest list. */
    public static final Set<String> INDEX_MEDIA_TYPES = Set.of(OCI_INDEX, DOCKER_MANIFEST_LIST);
    /** What ECR may answer a BatchGetImage with: an index, or an image's own manifest. */
    public static final List<String> MANIFEST_MEDIA_TYPES = List.of(OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST,
            DOCKER_MANIFEST, "application/vnd.docker.distribution.manifest.v1+json");
    private static final String REFERENCE_TYPE = "vnd.docker.reference.type";

    private ImageIndexes() {
    }

    /**
     * Whether a manifest is an image index or manifest list: by the registry's media type, else by its own.
     *
     * @param mediaType the registry's media type of the manifest; null to take the manifest's own
     */
    public static boolean isIndex(String mediaType, String manifest) {
        Object declared = mediaType != null || manifest == null ? mediaType : Json.member(Json.parse(manifest), "mediaType");
        return declared != null && INDEX_MEDIA_TYPES.contains(declared);
    }

    /**
     * The digests of the platform images of an index, in its order: a manifest whose platform is unknown, or that
     * BuildKit marks as an attestation, is not an image. Empty when the manifest is not an index.
     *
     * @param mediaType the registry's media type of the manifest; null to take the manifest's own
     */
    public static List<String> platformImages(String mediaType, String manifest) {
        if (manifest == null || !isIndex(mediaType, manifest)) {
            return List.of();
        }
        if (!(Json.member(Json.parse(manifest), "manifests") instanceof List<?> manifests)) {
            return List.of();
        }
        List<String> images = new ArrayList<>();
        for (Object entry : manifests) {
            Object digest = Json.member(entry, "digest");
            boolean unknown = "unknown".equals(Json.member(Json.member(entry, "platform"), "os"));
            boolean attestation = Json.member(entry, "annotations") instanceof Map<?, ?> notes
                    && "attestation-manifest".equals(notes.get(REFERENCE_TYPE));
            if (digest instanceof String d && !unknown && !attestation) {
                images.add(d);
            }
        }
        return List.copyOf(images);
    }
}
