package dev.pushdeploy.contract;

import dev.pushdeploy.local.bootstrap.Bootstrap;
import dev.pushdeploy.testing.SampleStack;
import java.util.List;
import software.amazon.awssdk.services.ecr.EcrClient;

/** Pushes to the emulator's ECR as a registry client's last step does (PutImage of the manifest), for the ECR contracts. */
final class EcrPushes {
    private EcrPushes() {
    }

    /** The {@code n}th distinct single-platform image (untagged when {@code tag} is null); returns its digest. */
    static String push(EcrClient ecr, String repository, String tag, int n) {
        String manifest = """
                {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
                 "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7,"digest":"sha256:%1$s"},
                 "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":7,"digest":"sha256:%1$s"}]}"""
                .formatted("%064d".formatted(n));
        return ecr.putImage(r -> r.repositoryName(repository).imageManifest(manifest).imageTag(tag))
                .image().imageId().imageDigest();
    }

    /** The index a multi-platform build with provenance pushes (the local runtime's), by the digest of its manifest. */
    static String pushIndex(EcrClient ecr, String repository, String tag, List<String> platformImages) {
        String index = Bootstrap.indexManifest(platformImages, Bootstrap.PLATFORMS);
        String digest = "sha256:" + SampleStack.sha256(index);
        return ecr.putImage(r -> r.repositoryName(repository).imageManifest(index).imageTag(tag).imageDigest(digest))
                .image().imageId().imageDigest();
    }
}
