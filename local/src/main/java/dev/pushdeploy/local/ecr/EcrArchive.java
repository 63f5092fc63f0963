package dev.pushdeploy.local.ecr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.local.endpoint.AwsRequest;
import dev.pushdeploy.local.aws.Clients;
import dev.pushdeploy.local.endpoint.AwsResponse;
import dev.pushdeploy.local.endpoint.ExecutionScope;
import dev.pushdeploy.local.endpoint.LocalEndpoint;
import dev.pushdeploy.local.endpoint.Route;
import dev.pushdeploy.ops.Json;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * ECR's archive storage class over moto (which has none), as ECR's guide describes it: UpdateImageStorageClass moves an
 * image to ARCHIVE or back to STANDARD; DescribeImages still describes an archived image, its imageStatus ARCHIVED
 * (ACTIVE otherwise); an archived image cannot be pulled ({@link #archived}). A push of the image again restores it, as
 * on ECR. Simplified: a restore is done at once (ECR answers ACTIVATING and takes a while).
 *
 * <p>A function's PutImage (a retag: the stored manifest with a new tag) puts ECR's push event on the event bus, as ECR
 * reports every completed push. The runtime's own pushes put none: a run's input carries its push event itself.
 */
public final class EcrArchive implements Route {

    private final LocalEndpoint endpoint;
    private final Clock clock;
    private final Set<String> archived = ConcurrentHashMap.newKeySet();
    private volatile Consumer<ObjectNode> events = event -> { };

    public EcrArchive(LocalEndpoint endpoint, Clock clock) {
        this.endpoint = endpoint;
        this.clock = clock;
    }

    /** Where ECR's push events go. */
    public void events(Consumer<ObjectNode> sink) {
        this.events = sink;
    }

    /** Whether the repository's image with this digest is archived (no task can pull it). */
    public boolean archived(String repository, String digest) {
        return archived.contains(key(repository, digest));
    }

    /** Forgets every archived image (a new world). */
    public void reset() {
        archived.clear();
    }

    @Override
    public Optional<AwsResponse> handle(AwsRequest request) {
        String operation = request.ecrOperation();
        if (operation == null) {
            return Optional.empty();
        }
        return switch (operation) {
            case "UpdateImageStorageClass" -> Optional.of(updateImageStorageClass(request));
            case "DescribeImages" -> Optional.of(describeImages(request));
            case "PutImage" -> Optional.of(putImage(request));
            default -> Optional.empty();
        };
    }

    private AwsResponse updateImageStorageClass(AwsRequest request) {
        JsonNode asked = Json.tree(request.bodyText());
        String repository = asked.path("repositoryName").asText();
        String storageClass = asked.path("targetStorageClass").asText();
        if (!storageClass.equals("ARCHIVE") && !storageClass.equals("STANDARD")) {
            return error("InvalidParameterException", "targetStorageClass must be STANDARD or ARCHIVE, not '" + storageClass + "'");
        }
        ObjectNode describe = Json.object().put("repositoryName", repository);
        describe.putArray("imageIds").add(asked.path("imageId"));
        AwsResponse moto = endpoint.forward(AwsRequest.ecr("DescribeImages", describe.toString()));
        if (moto.status() != 200) {
            return moto;
        }
        JsonNode image = Json.tree(moto.bodyText()).path("imageDetails").path(0);
        String digest = image.path("imageDigest").asText();
        if (storageClass.equals("ARCHIVE")) {
            archived.add(key(repository, digest));
        } else {
            archived.remove(key(repository, digest));
        }
        ObjectNode answer = Json.object().put("registryId", image.path("registryId").asText()).put("repositoryName", repository);
        ObjectNode id = answer.putObject("imageId").put("imageDigest", digest);
        if (asked.path("imageId").hasNonNull("imageTag")) {
            id.put("imageTag", asked.path("imageId").get("imageTag").asText());
        }
        answer.put("imageStatus", storageClass.equals("ARCHIVE") ? "ARCHIVED" : "ACTIVE");
        return AwsResponse.json(200, AwsResponse.JSON_1_1, answer.toString(), Map.of());
    }

    private AwsResponse describeImages(AwsRequest request) {
        AwsResponse moto = endpoint.forward(request);
        if (moto.status() != 200) {
            return moto;
        }
        ObjectNode answer = (ObjectNode) Json.tree(moto.bodyText());
        for (JsonNode detail : answer.path("imageDetails")) {
            ((ObjectNode) detail).put("imageStatus", archived(detail.path("repositoryName").asText(), detail.path("imageDigest").asText())
                    ? "ARCHIVED" : "ACTIVE");
        }
        return AwsResponse.json(200, AwsResponse.JSON_1_1, answer.toString(), Map.of());
    }

    /** A push of an archived image restores it; a function's push is reported on the event bus. */
    private AwsResponse putImage(AwsRequest request) {
        AwsResponse moto = endpoint.forward(request);
        if (moto.status() == 200) {
            JsonNode image = Json.tree(moto.bodyText()).path("image");
            String repository = image.path("repositoryName").asText();
            String digest = image.path("imageId").path("imageDigest").asText();
            archived.remove(key(repository, digest));
            if (request.header(ExecutionScope.INTERNAL_HEADER) == null) {
                events.accept(pushed(image, repository, digest));
            }
        }
        return moto;
    }

    private ObjectNode pushed(JsonNode image, String repository, String digest) {
        String manifest = image.path("imageManifest").asText("{}");
        JsonNode parsed = Json.tree(manifest.isBlank() ? "{}" : manifest);
        String mediaType = image.path("imageManifestMediaType").asText(parsed.path("mediaType").asText(null));
        String artifact = parsed.path("config").path("mediaType").asText(mediaType);
        JsonNode tag = image.path("imageId").path("imageTag");
        return EcrEvents.push(image.path("registryId").asText(), Clients.REGION, repository, tag.isTextual() ? tag.asText() : null,
                digest, mediaType, artifact, clock.instant());
    }

    private static String key(String repository, String digest) {
        return repository + "@" + digest;
    }

    private static AwsResponse error(String type, String message) {
        return AwsResponse.json(400, AwsResponse.JSON_1_1, Json.object().put("__type", type).put("message", message).toString(), Map.of());
    }
}
