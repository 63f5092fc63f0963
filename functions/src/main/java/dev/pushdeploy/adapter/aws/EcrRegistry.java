package dev.pushdeploy.adapter.aws;

import java.util.function.Supplier;
import dev.pushdeploy.adapter.json.ImageIndexes;
import dev.pushdeploy.request.ImageRegistry;
import dev.pushdeploy.request.ScanFindings;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecr.model.ImageNotFoundException;
import software.amazon.awssdk.services.ecr.model.Repository;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;
import software.amazon.awssdk.services.ecr.model.ScanNotFoundException;

/** {@link ImageRegistry} and {@link ScanFindings} over the ECR client (reads only). */
public final class EcrRegistry implements ImageRegistry, ScanFindings {
    private final Supplier<EcrClient> ecr;

    public EcrRegistry(EcrClient ecr) {
        this(() -> ecr);
    }

    /** @param ecr the client, built on first use (a path that never calls it never builds it) */
    public EcrRegistry(Supplier<EcrClient> ecr) {
        this.ecr = ecr;
    }

    @Override
    public Optional<String> repositoryUri(String repository) {
        return AwsCall.run("ecr:DescribeRepositories " + repository, () -> {
            try {
                return ecr.get().describeRepositories(r -> r.repositoryNames(repository)).repositories().stream()
                        .findFirst().map(Repository::repositoryUri);
            } catch (RepositoryNotFoundException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public Optional<Image> image(String repository, String reference) {
        ImageIdentifier id = reference.startsWith("sha256:")
                ? ImageIdentifier.builder().imageDigest(reference).build()
                : ImageIdentifier.builder().imageTag(reference).build();
        return AwsCall.run("ecr:DescribeImages " + repository + " " + reference, () -> {
            try {
                return ecr.get().describeImages(r -> r.repositoryName(repository).imageIds(id)).imageDetails().stream()
                        .findFirst().map(d -> new Image(d.imageDigest(), d.imageTags(), d.imagePushedAt(), d.imageStatusAsString()));
            } catch (ImageNotFoundException | RepositoryNotFoundException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public Optional<ScanReport> scan(String repository, String digest) {
        return AwsCall.run("ecr:DescribeImageScanFindings " + repository + "@" + digest, () -> {
            try {
                var response = ecr.get().describeImageScanFindings(r -> r.repositoryName(repository).imageId(i -> i.imageDigest(digest)));
                var status = response.imageScanStatus();
                var findings = response.imageScanFindings();
                return Optional.of(new ScanReport(
                        status == null ? null : status.statusAsString(),
                        status == null ? null : status.description(),
                        findings == null ? null : findings.findingSeverityCountsAsStrings()));
            } catch (ScanNotFoundException e) {
                return Optional.empty();
            } catch (ImageNotFoundException e) {
                return Optional.of(new ScanReport(ScanReport.IMAGE_NOT_FOUND,
                        "the image is no longer in the repository (deleted, or expired by a lifecycle policy)", null));
            }
        });
    }

    @Override
    public List<String> platformImages(String repository, String digest) {
        return AwsCall.run("ecr:BatchGetImage " + repository + "@" + digest, () -> {
            try {
                var images = ecr.get().batchGetImage(r -> r.repositoryName(repository).imageIds(i -> i.imageDigest(digest))
                        .acceptedMediaTypes(ImageIndexes.MANIFEST_MEDIA_TYPES)).images();
                return images.isEmpty() ? List.<String>of()
                        : ImageIndexes.platformImages(images.get(0).imageManifestMediaType(), images.get(0).imageManifest());
            } catch (RepositoryNotFoundException e) {
                return List.<String>of();
            }
        });
    }
}
