package dev.pushdeploy.local.ecr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.adapter.json.ImageIndexes;
import dev.pushdeploy.local.aws.Clients;
import dev.pushdeploy.local.ecs.Throttling;
import dev.pushdeploy.local.endpoint.AwsRequest;
import dev.pushdeploy.local.endpoint.AwsResponse;
import dev.pushdeploy.local.endpoint.ExecutionScope;
import dev.pushdeploy.local.endpoint.LocalEndpoint;
import dev.pushdeploy.local.endpoint.Route;
import dev.pushdeploy.local.run.EventEnvelope;
import dev.pushdeploy.local.time.Agenda;
import dev.pushdeploy.ops.Json;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * ECR's basic scanning as it behaves on AWS, over moto's (which completes a scan the moment it starts): a scan takes
 * {@link #scanSeconds} of simulated time, DescribeImageScanFindings answers IN_PROGRESS until then (and moto's findings
 * after), and on completion ECR's "ECR Image Scan" event goes to the event bus, shaped as ECR documents it (the
 * repository's ARN as the resource; scan-status, repository-name, image-digest, image-tags and the non-zero
 * finding-severity-counts in the detail). A scan starts by StartImageScan through the endpoint or by a push to a
 * repository with scan on push ({@link #started}). An image index is not scanned: StartImageScan of one is refused
 * with ECR's UnsupportedImageTypeException (its platform images are scanned as they are pushed). A scan is looked up
 * by digest (the functions' way); asked by tag, and in DescribeImages' imageScanStatus, moto answers as it does,
 * COMPLETE at once. ECR's calls from the functions can be throttled ({@link #throttling}), as the ECS simulator throttles
 * ECS's.
 */
public final class EcrScans implements Route, Agenda {
    /** How long a basic scan takes unless told otherwise (simulated seconds). */
    public static final double DEFAULT_SCAN_SECONDS = 30;
    private static final String SOURCE = "aws.ecr";
    private static final String IMAGE_SCAN = "ECR Image Scan";

    private record Scan(String registryId, String repository, String digest, List<String> tags, long completesAt) {
    }

    private final LocalEndpoint endpoint;
    private final Clock clock;
    private final Map<String, Scan> running = new LinkedHashMap<>();
    private volatile long scanMillis = Math.round(DEFAULT_SCAN_SECONDS * 1000);
    private volatile Consumer<ObjectNode> events = event -> { };
    private volatile Throttling throttling = Throttling.off();

    public EcrScans(LocalEndpoint endpoint, Clock clock) {
        this.endpoint = endpoint;
        this.clock = clock;
    }

    /** Where ECR's scan events go. */
    public void events(Consumer<ObjectNode> sink) {
        this.events = sink;
    }

    /** How long scans started from now on take (simulated seconds; 0: complete at once, as moto alone does). */
    public void scanSeconds(double seconds) {
        if (!(seconds >= 0)) {
            throw new IllegalArgumentException("a scan takes 0 seconds or more, not " + seconds);
        }
        this.scanMillis = Math.round(seconds * 1000);
    }

    /** Throttles the functions' ECR calls (by operation, e.g. {@code DescribeImageScanFindings}) from now on. */
    public void throttling(Throttling throttling) {
        this.throttling = throttling;
    }

    /** A scan of {@code repository@digest} started now (in moto, which has its findings already). */
    public void started(String registryId, String repository, String digest, List<String> tags) {
        synchronized (this) {
            running.put(key(repository, digest), new Scan(registryId, repository, digest, List.copyOf(tags),
                    clock.millis() + scanMillis));
        }
        if (scanMillis == 0) {
            runUntil(clock.millis());
        }
    }

    /** Forgets the scans in progress; scans take {@value #DEFAULT_SCAN_SECONDS} s again, unthrottled (a new world). */
    public synchronized void reset() {
        running.clear();
        scanMillis = Math.round(DEFAULT_SCAN_SECONDS * 1000);
        throttling = Throttling.off();
    }

    @Override
    public Optional<AwsResponse> handle(AwsRequest request) {
        String operation = request.ecrOperation();
        if (operation == null) {
            return Optional.empty();
        }
        if (request.header(ExecutionScope.INTERNAL_HEADER) == null
                && throttling.throttle(operation, request.header("amz-sdk-invocation-id"), request.header("amz-sdk-request"))) {
            return Optional.of(AwsResponse.json(400, AwsResponse.JSON_1_1,
                    "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}", Map.of()));
        }
        return switch (operation) {
            case "StartImageScan" -> Optional.of(startImageScan(request));
            case "DescribeImageScanFindings" -> describeImageScanFindings(request);
            default -> Optional.empty();
        };
    }

    private AwsResponse startImageScan(AwsRequest request) {
        JsonNode asked = Json.tree(request.bodyText());
        JsonNode stored = forward("BatchGetImage", Json.object().put("repositoryName", asked.path("repositoryName").asText())
                .set("imageIds", Json.object().arrayNode().add(asked.path("imageId")))).path("images").path(0);
        String mediaType = stored.path("imageManifestMediaType").asText(null);
        String manifest = stored.path("imageManifest").asText(null);
        if (ImageIndexes.isIndex(mediaType, manifest)) {
            mediaType = mediaType != null ? mediaType : Json.tree(manifest).path("mediaType").asText();
            return AwsResponse.json(400, AwsResponse.JSON_1_1, Json.object().put("__type", "UnsupportedImageTypeException")
                    .put("message", "An artifact with media type '" + mediaType + "' cannot be scanned. For more information, see the "
                            + "Amazon ECR documentation.").toString(), Map.of());
        }
        AwsResponse answer = endpoint.forward(request);
        if (answer.status() == 200) {
            JsonNode started = Json.tree(answer.bodyText());
            JsonNode image = started.path("imageId");
            started(started.path("registryId").asText(), started.path("repositoryName").asText(),
                    image.path("imageDigest").asText(), image.hasNonNull("imageTag") ? List.of(image.get("imageTag").asText()) : List.of());
        }
        return answer;
    }

    /** IN_PROGRESS while the scan runs, as ECR answers then (no findings); moto's answer once it completed. */
    private Optional<AwsResponse> describeImageScanFindings(AwsRequest request) {
        JsonNode asked = Json.tree(request.bodyText());
        Scan scan;
        synchronized (this) {
            scan = running.get(key(asked.path("repositoryName").asText(), asked.path("imageId").path("imageDigest").asText()));
        }
        if (scan == null) {
            return Optional.empty();
        }
        ObjectNode answer = Json.object();
        answer.put("registryId", scan.registryId());
        answer.put("repositoryName", scan.repository());
        answer.putObject("imageId").put("imageDigest", scan.digest());
        answer.putObject("imageScanStatus").put("status", "IN_PROGRESS").put("description", "The scan is in progress.");
        return Optional.of(AwsResponse.json(200, AwsResponse.JSON_1_1, answer.toString(), Map.of()));
    }

    @Override
    public synchronized OptionalLong nextAt() {
        return running.values().stream().mapToLong(Scan::completesAt).min();
    }

    @Override
    public void runUntil(long nowMillis) {
        List<Scan> due = new ArrayList<>();
        synchronized (this) {
            running.values().stream().filter(s -> s.completesAt() <= nowMillis).sorted(Comparator.comparingLong(Scan::completesAt))
                    .forEach(due::add);
            due.forEach(s -> running.remove(key(s.repository(), s.digest())));
        }
        for (Scan scan : due) {
            events.accept(completed(scan, findings(scan)));
        }
    }

    /** moto's findings of a completed scan (its finding-severity-counts, empty when it has none). */
    private JsonNode findings(Scan scan) {
        ObjectNode body = Json.object();
        body.put("registryId", scan.registryId());
        body.put("repositoryName", scan.repository());
        body.putObject("imageId").put("imageDigest", scan.digest());
        return forward("DescribeImageScanFindings", body);
    }

    /** moto's answer to an ECR call ({@code {}} when it refused it). */
    private JsonNode forward(String operation, JsonNode body) {
        AwsResponse answer = endpoint.forward(AwsRequest.ecr(operation, body.toString()));
        return answer.status() == 200 ? Json.tree(answer.bodyText()) : Json.object();
    }

    private ObjectNode completed(Scan scan, JsonNode findings) {
        String repositoryArn = "arn:aws:ecr:" + Clients.REGION + ":" + scan.registryId() + ":repository/" + scan.repository();
        ObjectNode event = EventEnvelope.of(SOURCE, IMAGE_SCAN, repositoryArn, scan.completesAt() / 1000.0);
        ObjectNode detail = event.putObject("detail");
        detail.put("scan-status", "COMPLETE");
        detail.put("repository-name", scan.repository());
        ObjectNode counts = detail.putObject("finding-severity-counts");
        findings.path("imageScanFindings").path("findingSeverityCounts").fields().forEachRemaining(level -> {
            if (level.getValue().asInt() > 0) {
                counts.put(level.getKey(), level.getValue().asInt());
            }
        });
        detail.put("image-digest", scan.digest());
        var tags = detail.putArray("image-tags");
        scan.tags().forEach(tags::add);
        return event;
    }

    private static String key(String repository, String digest) {
        return repository + "@" + digest;
    }
}
