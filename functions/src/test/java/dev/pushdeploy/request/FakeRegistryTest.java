package dev.pushdeploy.request;

import dev.pushdeploy.request.ScanFindings.ScanReport;
import dev.pushdeploy.testing.SampleStack;
import java.time.Instant;
import java.util.List;
import java.util.Map;

class FakeRegistryTest extends ImageRegistryContract {
    private final FakeRegistry fake = new FakeRegistry();
    private int pushes;

    @Override
    protected ImageRegistry registry() {
        return fake;
    }

    @Override
    protected ScanFindings findings() {
        return fake;
    }

    @Override
    protected void createRepository(String name) {
        fake.repository(name);
    }

    @Override
    protected String push(String repository, String tag) {
        String digest = "sha256:" + SampleStack.sha256(repository + " " + ++pushes);
        fake.image(repository, digest, tag, Instant.now());
        return digest;
    }

    @Override
    protected String pushIndex(String repository, String tag, List<String> platformImages) {
        String digest = "sha256:" + SampleStack.sha256(repository + " index " + ++pushes);
        fake.index(repository, digest, tag, platformImages);
        return digest;
    }

    @Override
    protected void scan(String repository, String digest, Map<String, Integer> severityCounts) {
        fake.scan(digest, new ScanReport("COMPLETE", "The scan was completed successfully.", severityCounts));
    }
}
