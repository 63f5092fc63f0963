package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.adapter.json.ImageIndexes;
import dev.pushdeploy.ledger.KeptImages;
import java.util.function.Supplier;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.Image;
import software.amazon.awssdk.services.ecr.model.ImageAlreadyExistsException;
import software.amazon.awssdk.services.ecr.model.ImageNotFoundException;

/**
 * {@link KeptImages} over the ECR client. A tag is added as ECR's guide retags an image: the manifest as ECR
 * stores it (BatchGetImage), put again with the new tag (PutImage), so the digest stays; a tag is taken off by
 * BatchDeleteImage of the tag alone, after DescribeImages showed the image another tag.
 */
public final class EcrKeptImages implements KeptImages {
    private final Supplier<EcrClient> ecr;

    /** @param ecr the client, built on first use */
    public EcrKeptImages(Supplier<EcrClient> ecr) {
        this.ecr = ecr;
    }

    @Override
    public boolean keep(String repository, String digest, String tag) {
        var images = AwsCall.run("ecr:BatchGetImage " + repository + "@" + digest, () -> ecr.get().batchGetImage(r -> r
                .repositoryName(repository).imageIds(i -> i.imageDigest(digest)).acceptedMediaTypes(ImageIndexes.MANIFEST_MEDIA_TYPES))
                .images());
        if (images.isEmpty()) {
            return false;
        }
        Image image = images.get(0);
        return AwsCall.run("ecr:PutImage " + repository + ":" + tag, () -> {
            try {
                ecr.get().putImage(r -> r.repositoryName(repository).imageManifest(image.imageManifest())
                        .imageManifestMediaType(image.imageManifestMediaType()).imageDigest(digest).imageTag(tag));
            } catch (ImageAlreadyExistsException tagged) {
                // the image carries the tag already
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
