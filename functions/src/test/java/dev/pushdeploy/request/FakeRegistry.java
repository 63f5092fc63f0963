package dev.pushdeploy.request;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import dev.pushdeploy.error.TransientException;

/** ECR in memory: repositories, images, scans ({@link ImageRegistryContract} holds it to the ECR adapter). */
public final class FakeRegistry implements ImageRegistry, ScanFindings {
    public static final String REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

    private final Map<String, String> repositories = new HashMap<>();
    private final Map<String, List<Image>> images = new HashMap<>();
    private final Map<String, ScanReport> scans = new HashMap<>();
    private final Map<String, List<String>> indexes = new HashMap<>();

    public FakeRegistry repository(String name) {
        repositories.put(name, REGISTRY + "/" + name);
        images.putIfAbsent(name, new ArrayList<>());
        return this;
    }

    /** This registry's scans, each read throttled beyond the SDK's retries while {@code throttled} says so. */
    public ScanFindings throttledWhile(BooleanSupplier throttled) {
        return new ScanFindings() {
            @Override
            public Optional<ScanReport> scan(String repository, String digest) {
                if (throttled.getAsBoolean()) {
                    throw new TransientException("ecr:DescribeImageScanFindings " + repository + "@" + digest + " failed transiently: "
                            + "ThrottlingException: Rate exceeded", null);
                }
                return FakeRegistry.this.scan(repository, digest);
            }

            @Override
            public List<String> platformImages(String repository, String digest) {
                return FakeRegistry.this.platformImages(repository, digest);
            }
        };
    }

    /** Adds an image (untagged when {@code tag} is null); a tag another image has moves to this one, as in ECR. */
    public FakeRegistry image(String repository, String digest, String tag, Instant pushedAt) {
        List<Image> held = images.get(repository);
        held.replaceAll(i -> new Image(i.digest(), i.tags().stream().filter(t -> !t.equals(tag)).toList(), i.pushedAt()));
        held.add(new Image(digest, tag == null ? List.of() : List.of(tag), pushedAt));
        return this;
    }

    /** Sets an image's status, as UpdateImageStorageClass or a lifecycle policy's transition does (ARCHIVED, ACTIVATING, ACTIVE). */
    public FakeRegistry status(String repository, String digest, String status) {
        images.get(repository).replaceAll(i -> i.digest().equals(digest) ? new Image(i.digest(), i.tags(), i.pushedAt(), status) : i);
        return this;
    }

    /** Deletes an image, as BatchDeleteImage or a lifecycle policy's expiry does. */
    public FakeRegistry delete(String repository, String digest) {
        images.get(repository).removeIf(i -> i.digest().equals(digest));
        return this;
    }

    /** Adds an image index referring to {@code platformImages} (pushed before it, as a build pushes them). */
    public FakeRegistry index(String repository, String digest, String tag, List<String> platformImages) {
        image(repository, digest, tag, Instant.now());
        indexes.put(digest, List.copyOf(platformImages));
        return this;
    }

    public FakeRegistry scan(String digest, ScanReport report) {
        scans.put(digest, report);
        return this;
    }

    @Override
    public Optional<String> repositoryUri(String repository) {
        return Optional.ofNullable(repositories.get(repository));
    }

    @Override
    public Optional<Image> image(String repository, String reference) {
        return images.getOrDefault(repository, List.of()).stream()
                .filter(i -> i.digest().equals(reference) || i.tags().contains(reference))
                .findFirst();
    }

    @Override
    public Optional<ScanReport> scan(String repository, String digest) {
        return Optional.ofNullable(scans.get(digest));
    }

    @Override
    public List<String> platformImages(String repository, String digest) {
        return indexes.getOrDefault(digest, List.of());
    }
}
