package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.adapter.json.ImageIndexes;
import dev.pushdeploy.ledger.KeptImages;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.Image;
import software.amazon.awssdk.services.ecr.model.ImageAlreadyExistsException;
import software.amazon.awssdk.services.ecr.model.ImageNotFoundException;

/**
 * {@link KeptImages} over the ECR client. A tag is added as ECR's guide retags an image: the manifest as ECR
 * stores it (BatchGetImage, which asks for the tag too: an image it names already is left alone), put again with the
 * new tag (PutImage), so the digest stays; a tag is taken off by BatchDeleteImage of the tag alone, after DescribeImages
 * showed the image another tag.
 */
public final class EcrKeptImages implements KeptImages {
    private final Supplier<EcrClient> ecr;

    /** @param ecr the client, built on first use */
    public EcrKeptImages(Supplier<EcrClient> ecr) {
        this.ecr = ecr;
    }

    @Override
    public boolean keep(String repository, String digest, String tag) {
        var response = AwsCall.run("ecr:BatchGetImage " + repository + "@" + digest, () -> ecr.get().batchGetImage(r -> r
                .repositoryName(repository).imageIds(i -> i.imageDigest(digest), i -> i.imageTag(tag))
                .acceptedMediaTypes(ImageIndexes.MANIFEST_MEDIA_TYPES)));
        Optional<Image> image = response.images().stream().filter(i -> digest.equals(i.imageId().imageDigest())).findFirst();
        if (image.isEmpty()) {
            return false;
        }
        boolean tagged = response.failures().stream().noneMatch(f -> tag.equals(f.imageId().imageTag()))
                && response.images().stream().allMatch(i -> digest.equals(i.imageId().imageDigest()));
        if (tagged) {
            return true;
        }
        return AwsCall.run("ecr:PutImage " + repository + ":" + tag, () -> {
            try {
                ecr.get().putImage(r -> r.repositoryName(repository).imageManifest(image.get().imageManifest())
                        .imageManifestMediaType(image.get().imageManifestMediaType()).imageDigest(digest).imageTag(tag));
            } catch (ImageAlreadyExistsException meanwhile) {
                // tagged meanwhile
            }
            return true;
        });
    }

    @Override
    public boolean letGo(String repository, String tag) {
        int tags = AwsCall.run("ecr:DescribeImages " + repository + ":" + tag, () -> {
            try {
                return ecr.get().describeImages(r -> r.repositoryName(repository).imageIds(i -> i.imageTag(tag))).imageDetails()
                        .stream().findFirst().map(d -> d.imageTags().size()).orElse(0);
            } catch (ImageNotFoundException gone) {
                return 0;
            }
        });
        if (tags < 2) {
            return false;
        }
        return AwsCall.run("ecr:BatchDeleteImage " + repository + ":" + tag, () -> ecr.get()
                .batchDeleteImage(r -> r.repositoryName(repository).imageIds(i -> i.imageTag(tag))).failures().isEmpty());
    }
}
