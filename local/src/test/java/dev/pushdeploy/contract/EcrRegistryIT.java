package dev.pushdeploy.contract;

import dev.pushdeploy.adapter.aws.EcrRegistry;
import dev.pushdeploy.request.ImageRegistry;
import dev.pushdeploy.request.ImageRegistryContract;
import dev.pushdeploy.request.ScanFindings;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
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
        return EcrPushes.push(ecr, repository, tag, ++pushes);
    }

    @Override
    protected String pushIndex(String repository, String tag, List<String> platformImages) {
        return EcrPushes.pushIndex(ecr, repository, tag, platformImages);
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
