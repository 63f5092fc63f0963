package dev.pushdeploy.contract;

import dev.pushdeploy.adapter.aws.EcrKeptImages;
import dev.pushdeploy.ledger.KeptImages;
import dev.pushdeploy.ledger.KeptImagesContract;
import dev.pushdeploy.local.bootstrap.Bootstrap;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.ImageNotFoundException;
import software.amazon.awssdk.services.ecr.model.ImageTagMutability;

/** The keep-tag contract against the ECR adapter on the emulator, in repositories with immutable tags (the template's). */
@ExtendWith(EmulatorExtension.class)
class EcrKeptImagesIT extends KeptImagesContract {
    private EcrClient ecr;
    private int pushes;

    @BeforeEach
    void connect(Emulator emulator) {
        ecr = emulator.client(EcrClient.builder());
    }

    @Override
    protected KeptImages subject() {
        return new EcrKeptImages(() -> ecr);
    }

    @Override
    protected void createRepository(String name) {
        ecr.createRepository(r -> r.repositoryName(name).imageTagMutability(ImageTagMutability.IMMUTABLE));
    }

    @Override
    protected String push(String repository, String tag) {
        return EcrPushes.push(ecr, repository, tag, ++pushes);
    }

    @Override
    protected String pushIndex(String repository, String tag) {
        List<String> images = new ArrayList<>();
        for (int i = 0; i < Bootstrap.PLATFORMS.size(); i++) {
            images.add(push(repository, null));
        }
        return EcrPushes.pushIndex(ecr, repository, tag, images);
    }

    @Override
    protected Optional<List<String>> tags(String repository, String digest) {
        try {
            return ecr.describeImages(r -> r.repositoryName(repository).imageIds(i -> i.imageDigest(digest))).imageDetails().stream()
                    .findFirst().map(d -> d.imageTags());
        } catch (ImageNotFoundException gone) {
            return Optional.empty();
        }
    }
}
