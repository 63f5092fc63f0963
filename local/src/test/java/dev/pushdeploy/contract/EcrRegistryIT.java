package dev.pushdeploy.contract;

import dev.pushdeploy.adapter.aws.EcrRegistry;
import dev.pushdeploy.local.bootstrap.Bootstrap;
import dev.pushdeploy.request.ImageRegistry;
import dev.pushdeploy.request.ImageRegistryContract;
import dev.pushdeploy.request.ScanFindings;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.SampleStack;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * The registry contract against the ECR adapter on the emulator. A scan's findings are set through
 * moto's scan-results API before the scan starts (its default is one canned HIGH finding).
 */
@ExtendWith(EmulatorExtension.class)
class EcrRegistryIT extends ImageRegistryContract {
    private Emulator emulator;
    private EcrClient ecr;
    private int pushes;

    @BeforeEach
    void connect(Emulator emulator) {
        this.emulator = emulator;
        ecr = emulator.client(EcrClient.builder());
    }

    @Override
    protected ImageRegistry registry() {
        return new EcrRegistry(ecr);
    }

    @Override
    protected ScanFindings findings() {
        return new EcrRegistry(ecr);
    }

    @Override
    protected void createRepository(String name) {
        ecr.createRepository(r -> r.repositoryName(name));
    }

    @Override
    protected String push(String repository, String tag) {
        String manifest = """
                {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
                 "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7,"digest":"sha256:%1$s"},
                 "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":7,"digest":"sha256:%1$s"}]}"""
                .formatted("%064d".formatted(++pushes));
        return ecr.putImage(r -> r.repositoryName(repository).imageManifest(manifest).imageTag(tag))
                .image().imageId().imageDigest();
    }

    /** The index a multi-platform build with provenance pushes (the local runtime's), by the digest of its manifest. */
    @Override
    protected String pushIndex(String repository, String tag, List<String> platformImages) {
        String index = Bootstrap.indexManifest(platformImages, Bootstrap.PLATFORMS);
        String digest = "sha256:" + SampleStack.sha256(index);
        return ecr.putImage(r -> r.repositoryName(repository).imageManifest(index).imageTag(tag).imageDigest(digest))
                .image().imageId().imageDigest();
    }

    @Override
    protected void scan(String repository, String digest, Map<String, Integer> severityCounts) {
        String counts = severityCounts.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\": " + e.getValue()).collect(Collectors.joining(", "));
        emulator.post("/moto-api/static/ecr/scan-finding-results", """
                {"region": "%s", "results": [{"repositoryName": "%s", "imageId": {"imageDigest": "%s"},
                  "imageScanStatus": {"status": "COMPLETE", "description": "The scan was completed successfully."},
                  "imageScanFindings": {"findingSeverityCounts": {%s}}}]}"""
                .formatted(Emulator.REGION, repository, digest, counts));
        ecr.startImageScan(r -> r.repositoryName(repository).imageId(i -> i.imageDigest(digest)));
    }
}
